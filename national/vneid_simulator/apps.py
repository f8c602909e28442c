from django.apps import AppConfig


class VneidSimulatorConfig(AppConfig):
    name = "national.vneid_simulator"
    label = "vneid_simulator"
