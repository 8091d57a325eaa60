from django.apps import AppConfig


class CourseworkConfig(AppConfig):
    name = "copkit.coursework"
    label = "coursework"
    verbose_name = "Coursework"
