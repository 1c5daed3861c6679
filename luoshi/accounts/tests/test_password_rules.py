"""Password rules of 等保2.0 三级 beyond length and classes: no account name inside, no common
word dressed up with digits and symbols, none of the last five passwords again."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from luoshi.accounts.models import PasswordHistory
from luoshi.testing import PASSWORD

CHANGE = reverse("accounts:password-change")


def _refusal(password: str, user) -> str:
    with pytest.raises(ValidationError) as error:
        validate_password(password, user)
    return " ".join(error.value.messages)


@pytest.mark.parametrize(
    "password", ["Password123!", "P@ssw0rd2026", "!!Welcome2026", "Qwerty#2026"]
)
def test_a_common_word_with_digits_and_symbols_is_refused(world, password):
    assert "过于常见" in _refusal(password, world.staff)


def test_the_account_name_inside_is_refused(world):
    name = world.staff.username
    assert "账号名" in _refusal(f"Xy#{name.capitalize()}2026", world.staff)


def test_a_strong_password_still_passes(world):
    validate_password("Qinghai#2026go", world.staff)


def _change(client, old: str, new: str):
    return client.post(CHANGE, {"old_password": old, "new_password1": new, "new_password2": new})


def test_the_last_five_passwords_cannot_be_chosen_again(world, client_for):
    client = client_for(world.staff)
    passwords = [PASSWORD] + [f"Mangya#{n}Lake" for n in range(1, 7)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert _change(client, old, new).status_code == 302, new
    # Now on Mangya#6Lake; the five before it (and itself) are refused, the sixth back is free.
    current = passwords[-1]
    for reused in passwords[-5:]:
        response = _change(client, current, reused)
        assert response.status_code == 200 and "最近 5 次" in response.content.decode(), reused
    assert PasswordHistory.objects.filter(user=world.staff).count() == 5
    assert _change(client, current, passwords[1]).status_code == 302
