"""Scoring rules: a figure and an indicator's rule make points, and the rule in words.

Every rule is shown as its formula in Chinese on each page that uses it (`formula`), from the
same figures that `score` uses, so the words and the arithmetic cannot disagree.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import Indicator, IndicatorKind, Rule

ZERO = Decimal(0)


def points(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _n(value: Decimal | int | float | None) -> str:
    """A figure as the formula shows it: 8, 8.5, 0.25 (no trailing zeros)."""
    if value is None:
        return "—"
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def tiers_of(indicator: Indicator) -> list[tuple[Decimal, Decimal]]:
    """The tiers as (threshold, percent of the weight), highest threshold first."""
    found = []
    for row in indicator.tiers or []:
        threshold, percent = row
        found.append((Decimal(str(threshold)), Decimal(str(percent))))
    return sorted(found, reverse=True)


def check_rule(indicator: Indicator) -> dict[str, str]:
    """What is missing or wrong in an indicator's rule, by field."""
    errors: dict[str, str] = {}
    if indicator.kind != IndicatorKind.SCORE:
        if indicator.rule not in (Rule.PER_ITEM, Rule.MANUAL):
            errors["rule"] = _("扣分项、加分项只能“按项计分（封顶）”或由考核组评分。")
        if indicator.rule == Rule.PER_ITEM and not indicator.per_item:
            errors["per_item"] = _("请填写每项分值。")
        if not indicator.cap:
            errors["cap"] = _("扣分项、加分项须设封顶分值。")
        return errors
    if indicator.rule == Rule.PER_ITEM:
        errors["rule"] = _("“按项计分（封顶）”只用于扣分项和加分项。")
    if indicator.rule in (Rule.LINEAR, Rule.PASS_FAIL) and (
        indicator.target is None or indicator.target <= 0
    ):
        errors["target"] = _("请填写大于 0 的目标值。")
    if indicator.rule == Rule.TIERS:
        try:
            tiers = tiers_of(indicator)
        except (TypeError, ValueError, ArithmeticError):
            tiers = []
            errors["tiers"] = _("分档格式不对：每档写“门槛值:得分比例”，如“8:100”。")
        if not tiers and "tiers" not in errors:
            errors["tiers"] = _("请至少填写一档。")
        for threshold, percent in tiers:
            if not ZERO <= percent <= 100:
                errors["tiers"] = _("门槛 %(t)s 的得分比例 %(p)s 不在 0～100 之间。") % {
                    "t": _n(threshold),
                    "p": _n(percent),
                }
    return errors


NO_BASE = gettext_noop("无应考核事项的，按满分计。")


def formula(indicator: Indicator, weight: Decimal, unit_label: str = "") -> str:
    """The rule in words, with the weight and the figures: shown wherever the score is."""
    text = _formula(indicator, weight, unit_label)
    if indicator.kind == IndicatorKind.SCORE and indicator.rule != Rule.MANUAL:
        text += _(NO_BASE)
    return text


def _formula(indicator: Indicator, weight: Decimal, unit_label: str) -> str:
    w, u = _n(weight), unit_label
    cap = _n(indicator.cap)
    if indicator.kind != IndicatorKind.SCORE:
        sign = _("扣") if indicator.kind == IndicatorKind.DEDUCTION else _("加")
        if indicator.rule == Rule.MANUAL:
            return _("由考核组据实%(sign)s分，最多%(sign)s %(cap)s 分，须附理由和佐证。") % {
                "sign": sign,
                "cap": cap,
            }
        return _("每%(unit)s%(sign)s %(per)s 分，最多%(sign)s %(cap)s 分。") % {
            "unit": u or _("项"),
            "sign": sign,
            "per": _n(indicator.per_item),
            "cap": cap,
        }
    match indicator.rule:
        case Rule.LINEAR:
            return _(
                "达到目标值 %(target)s %(unit)s得满分 %(w)s 分；未达到的按实际值占目标值的比例得分"
                "（得分 = %(w)s × 实际值 ÷ %(target)s），超过目标值不加分。"
            ) % {"target": _n(indicator.target), "unit": u, "w": w}
        case Rule.TIERS:
            parts = [
                _("≥ %(t)s %(unit)s得 %(p)s 分")
                % {"t": _n(t), "unit": u, "p": _n(weight * p / 100)}
                for t, p in tiers_of(indicator)
            ]
            return _("分档计分（满分 %(w)s 分）：%(tiers)s；其余得 0 分。") % {
                "w": w,
                "tiers": "；".join(parts),
            }
        case Rule.BEST:
            return _(
                "以同类单位中的最高值为满分 %(w)s 分，其余单位按实际值占最高值的比例得分"
                "（得分 = %(w)s × 实际值 ÷ 最高值）。"
            ) % {"w": w}
        case Rule.PASS_FAIL:
            return _("实际值达到 %(target)s %(unit)s得 %(w)s 分，未达到得 0 分。") % {
                "target": _n(indicator.target),
                "unit": u,
                "w": w,
            }
        case _other:
            return _("由考核组评分，满分 %(w)s 分，须附理由和佐证。") % {"w": w}


def score(
    indicator: Indicator, weight: Decimal, value: Decimal | None, best: Decimal | None = None
) -> Decimal | None:
    """Points for `value`. None for a manual item until the inspection team scores it; a figure
    without a base (value None: no task due, no notice issued) scores the full weight."""
    if indicator.rule == Rule.MANUAL:
        return None
    if indicator.kind != IndicatorKind.SCORE:
        count = value or ZERO
        return points(min(count * (indicator.per_item or ZERO), indicator.cap or ZERO))
    if value is None:
        # Nothing to assess (no task due, no notice issued, no problem listed): not held
        # against the unit, as the formula says.
        return points(weight)
    match indicator.rule:
        case Rule.LINEAR:
            target = indicator.target or Decimal(1)
            return points(weight * min(value / target, Decimal(1)))
        case Rule.TIERS:
            for threshold, percent in tiers_of(indicator):
                if value >= threshold:
                    return points(weight * percent / 100)
            return points(ZERO)
        case Rule.BEST:
            if not best or best <= 0:
                return points(ZERO)
            return points(weight * min(value / best, Decimal(1)))
        case Rule.PASS_FAIL:
            return points(weight if value >= (indicator.target or ZERO) else ZERO)
    return None


def max_points(indicator: Indicator, weight: Decimal) -> Decimal:
    """The most an item can score: its weight, or a deduction's or bonus's cap."""
    if indicator.kind != IndicatorKind.SCORE:
        return indicator.cap or ZERO
    return weight
