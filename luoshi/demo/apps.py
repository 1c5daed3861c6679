from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The Mangya (茫崖) demo of the seed article: `manage.py load_demo`, `manage.py demo_accounts`."""

    name = "luoshi.demo"
    label = "demo"
