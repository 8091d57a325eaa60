from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "copkit.attendance"
    label = "attendance"
    verbose_name = "Attendance and graduation"
    default_auto_field = "django.db.models.BigAutoField"
