"""The course catalog, cohorts, sessions and enrollments.

Times are stored as aware datetimes in UTC; each cohort names the IANA time zone its
sessions are planned in, and sessions are generated in that zone so that they keep their
local time across daylight-saving changes.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Program(models.Model):
    """A certification program, such as the Community Manager Certification Program."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    """A course of a program, with everything its public page states."""

    class Kind(models.TextChoices):
        REQUIRED = "required", "Required"
        ELECTIVE = "elective", "Elective"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ANNOUNCED = "announced", "Announced"
        OPEN = "open", "Open for applications"
        ARCHIVED = "archived", "Archived"

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="courses")
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    short_name = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REQUIRED)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(blank=True)
    overview = models.TextField(blank=True)
    audience = models.TextField(blank=True)
    open_to_non_certification = models.BooleanField(default=True)
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="required_by"
    )
    prerequisites_note = models.TextField(blank=True)
    requires_active_community = models.BooleanField(
        default=False,
        help_text="Applicants must attest a community, collaboration or team they actively manage.",
    )
    # Format
    format_published = models.BooleanField(
        default=True,
        help_text="Untick while the format (weeks, sessions, minutes) is not yet announced.",
    )
    weeks = models.PositiveSmallIntegerField(default=8)
    sessions_per_week = models.PositiveSmallIntegerField(default=2)
    session_minutes = models.PositiveSmallIntegerField(default=90)
    # Graduation (the rule itself lives in copkit.attendance.rules and reads these)
    graduation_requirements = models.TextField(blank=True)
    absence_allowance = models.PositiveSmallIntegerField(default=2)
    requires_graduation_event = models.BooleanField(default=True)
    late_counts_as_attended = models.BooleanField(default=True)
    excused_counts_as_absence = models.BooleanField(default=True)
    # Content
    syllabus_note = models.TextField(blank=True)
    outputs = models.TextField(blank=True, help_text="One output per line.")
    course_text = models.TextField(blank=True)
    instructors = models.TextField(blank=True, help_text="One instructor per line.")
    included_for_all = models.TextField(blank=True, help_text="One benefit per line.")
    included_for_certification = models.TextField(blank=True, help_text="One benefit per line.")
    price = models.CharField(
        max_length=100, blank=True, help_text='Leave empty to show "Coming soon".'
    )

    class Meta:
        ordering = ["program", "kind", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def planned_sessions(self) -> int:
        return self.weeks * self.sessions_per_week


class SyllabusTopic(models.Model):
    """One topic of a course syllabus with its learning objectives."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="topics")
    position = models.PositiveSmallIntegerField()
    slug = models.SlugField()
    title = models.CharField(max_length=300)
    objectives = models.TextField(blank=True, help_text="One learning objective per line.")

    class Meta:
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="topic_position_unique"),
            models.UniqueConstraint(fields=["course", "slug"], name="topic_slug_unique"),
        ]

    def __str__(self) -> str:
        return self.title


class Cohort(models.Model):
    """One run of a course, planned in one time zone."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        OPEN = "open", "Open for applications"
        RUNNING = "running", "Running"
        CLOSED = "closed", "Closed"

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    starts_on = models.DateField()
    timezone = models.CharField(max_length=64, help_text="IANA time zone, e.g. America/New_York")
    capacity = models.PositiveIntegerField(default=20)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="facilitated_cohorts"
    )
    slack_channel_name = models.CharField(max_length=80, blank=True)
    slack_channel_url = models.URLField(blank=True)
    meeting_url = models.URLField(blank=True, help_text="Where sessions take place online.")
    graduation_event_at = models.DateTimeField(null=True, blank=True)
    graduation_event_minutes = models.PositiveSmallIntegerField(default=90)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "slug"]

    def __str__(self) -> str:
        return self.name


class MeetingSlot(models.Model):
    """A weekly meeting time of a cohort, in the cohort's local time."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday")
    start_time = models.TimeField()

    class Meta:
        ordering = ["cohort", "weekday", "start_time"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "weekday", "start_time"], name="slot_unique"),
        ]

    def __str__(self) -> str:
        return f"weekday {self.weekday} at {self.start_time:%H:%M}"


class Holiday(models.Model):
    """A local date on which a cohort does not meet; sessions move past it."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["cohort", "date"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "date"], name="holiday_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.note}".strip()


class Session(models.Model):
    """A dated meeting of a cohort: a class session, the graduation event or co-working."""

    class Kind(models.TextChoices):
        CLASS = "class", "Session"
        GRADUATION = "graduation", "Graduation event"
        COWORKING = "coworking", "Co-working"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CANCELLED = "cancelled", "Cancelled"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.CLASS)
    number = models.PositiveSmallIntegerField(help_text="1-based within its kind")
    title = models.CharField(max_length=300, blank=True)
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=90)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE")
    topic = models.ForeignKey(
        SyllabusTopic, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cohort", "starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "kind", "number"], name="session_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.number}"


class CourseCompletion(models.Model):
    """A learner completed a course (recorded in copkit or entered by staff)."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    completed_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="completion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} completed {self.course} on {self.completed_on:%Y-%m-%d}"


class PrerequisiteWaiver(models.Model):
    """Staff waived a prerequisite course for a learner, with a recorded reason."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="prerequisite_waivers"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="waivers")
    reason = models.TextField()
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="waivers_granted"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["learner", "course"], name="waiver_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.course} waived for {self.learner}"


class Enrollment(models.Model):
    """A learner's place in a cohort (or on its waitlist)."""

    class Track(models.TextChoices):
        CERTIFICATION = "certification", "Certification track"
        OPEN = "open", "Not for certification"

    class Status(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        WAITLISTED = "waitlisted", "Waitlisted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrollments")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments"
    )
    track = models.CharField(max_length=16, choices=Track.choices)
    status = models.CharField(max_length=12, choices=Status.choices)
    community_name = models.CharField(max_length=200)
    community_url = models.URLField(blank=True)
    community_role = models.CharField(max_length=200)
    applied_at = models.DateTimeField()
    enrolled_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cohort", "applied_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "learner"], name="enrollment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.learner} in {self.cohort}"

    @property
    def is_certification(self) -> bool:
        return self.track == self.Track.CERTIFICATION


class CalendarToken(models.Model):
    """The secret in a person's private calendar feed URL; revoked tokens stop working."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user", "-created_at"]

    def __str__(self) -> str:
        state = "revoked" if self.revoked_at else "active"
        return f"calendar feed of {self.user} ({state})"
