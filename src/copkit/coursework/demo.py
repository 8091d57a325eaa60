"""Demo coursework for the cohort ``cop-demo``: worksheets for the seven topics of the CoP
course, assignments in every review state, and a co-working history with playbooks.

Runs after the academy (and attendance) builders and finds their objects by slug and
username. Idempotent: what exists is left alone. Publishing here does not announce (the
demo's e-mail goes to the console and it has no Slack channel).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from rich.console import Console

from copkit.academy.models import Cohort, Enrollment, Session
from copkit.accounts.models import User
from copkit.coursework import coworking, services
from copkit.coursework.models import Assignment, Submission, Worksheet, WorksheetField

COHORT = "cop-demo"

F = WorksheetField.Type
#: (title, kind, prompt, [(key, label, type, choices, required)]) per topic position 1..7.
WORKSHEETS: list[tuple[str, str, str, list[tuple[str, str, str, str, bool]]]] = [
    (
        "Is my community a community of practice?",
        "worksheet",
        "Wenger, McDermott and Snyder (2002, p. 4) describe communities of practice as groups "
        "of people who share a concern, a set of problems, or a passion about a topic, and who "
        "deepen their knowledge and expertise by interacting on an ongoing basis.\n\n"
        "Hold your own community up against that definition. Be concrete: name the concern, "
        "the people, and the interactions.",
        [
            ("community_name", "Your community's name", F.SHORT_TEXT, "", True),
            ("community_url", "Where it lives online", F.LINK, "", False),
            (
                "shared_concern",
                "What concern, set of problems or passion do members share?",
                F.LONG_TEXT,
                "",
                True,
            ),
            ("interaction", "How, and how often, do members interact?", F.LONG_TEXT, "", True),
            (
                "is_cop",
                "Is it a community of practice today?",
                F.CHOICE,
                "Yes\nPartly\nNot yet",
                True,
            ),
        ],
    ),
    (
        "A value-creation story",
        "activity",
        "Wenger, Trayner and de Laat (2011) describe value in cycles: immediate, potential "
        "(knowledge capital), applied, realised and reframing value. A value-creation story "
        "follows one member from an activity through those cycles.\n\n"
        "Ask one member for their story and write it down in their words. (The prompts below "
        "follow the cycles; the wording is ours.)",
        [
            ("activity", "The activity: what happened?", F.LONG_TEXT, "", True),
            ("immediate", "What did they get from it at the time?", F.LONG_TEXT, "", False),
            (
                "potential",
                "What knowledge, connections or resources did it leave them with?",
                F.LONG_TEXT,
                "",
                False,
            ),
            ("applied", "What did they do differently because of it?", F.LONG_TEXT, "", False),
            ("realised", "What difference did that make, and to whom?", F.LONG_TEXT, "", False),
            ("reframing", "Did it change how they define success?", F.LONG_TEXT, "", False),
        ],
    ),
    (
        "Domain, community and practice",
        "worksheet",
        "The three structural elements of a community of practice (Wenger, McDermott and "
        "Snyder 2002) are its **domain** (what it is about), its **community** (the people and "
        "their relationships) and its **practice** (the shared frameworks, tools, information, "
        "stories and documents members develop).\n\nDescribe each for your community.",
        [
            (
                "domain",
                "Domain: the shared topic that gives your community its identity",
                F.LONG_TEXT,
                "",
                True,
            ),
            ("community", "Community: who takes part, and how they relate", F.LONG_TEXT, "", True),
            ("practice", "Practice: what members build and share", F.LONG_TEXT, "", True),
            (
                "weakest",
                "Which element is weakest right now?",
                F.CHOICE,
                "Domain\nCommunity\nPractice",
                False,
            ),
        ],
    ),
    (
        "How knowledge flows",
        "worksheet",
        "Trace a month of questions in your community. Where do questions get asked, who "
        "answers them, how long does it take, and what is written down for the next person?",
        [
            ("where_questions_go", "Where do members ask questions?", F.LONG_TEXT, "", True),
            ("who_answers", "Who answers most of them?", F.SHORT_TEXT, "", False),
            ("unanswered", "Questions left without an answer last month", F.NUMBER, "", False),
            ("documented", "Where answers are written down (a link)", F.LINK, "", False),
            ("flow_map", "Your knowledge flow map (a drawing or a PDF)", F.FILE, "", False),
        ],
    ),
    (
        "Roles and levels of participation",
        "worksheet",
        "Wenger, McDermott and Snyder (2002) put a community's core group at about 10-15 % of "
        "its members and the active group at another 15-20 %; most members are peripheral, and "
        "they still learn. A coordinator organises events and connects members.\n\n"
        "Estimate your community's shape and say who does what.",
        [
            ("coordinator", "Who coordinates the community?", F.SHORT_TEXT, "", True),
            ("core_percent", "Core group, as a percentage of members", F.NUMBER, "", False),
            ("active_percent", "Active group, as a percentage of members", F.NUMBER, "", False),
            ("peripheral", "How do you make room for peripheral members?", F.LONG_TEXT, "", False),
            ("balance", "Which roles are missing or overloaded?", F.LONG_TEXT, "", False),
        ],
    ),
    (
        "Challenges to participation",
        "activity",
        "Pick the challenge that most limits participation in your community, the evidence you "
        "have for it, and one intervention you will try before the next co-working session.",
        [
            (
                "challenge",
                "The main challenge",
                F.CHOICE,
                "Dependence on a few members\nNewcomers go unanswered\nSlow or missing answers\n"
                "Cliques or fragmentation\nStagnation or decline\nParticipation inequality",
                True,
            ),
            ("evidence", "What tells you so?", F.LONG_TEXT, "", True),
            ("intervention", "What you will try", F.LONG_TEXT, "", True),
        ],
    ),
    (
        "Where is my community going?",
        "worksheet",
        "Wenger, McDermott and Snyder (2002) describe five stages of development: potential, "
        "coalescing, maturing, stewardship and transformation. Place your community and plan "
        "its next step.",
        [
            (
                "stage",
                "Stage today",
                F.CHOICE,
                "Potential\nCoalescing\nMaturing\nStewardship\nTransformation",
                True,
            ),
            ("evidence", "What makes you say so?", F.LONG_TEXT, "", True),
            ("next_steps", "What the community needs next", F.LONG_TEXT, "", True),
        ],
    ),
]

RUBRIC = [
    ("Clarity", "0: Missing\n1: Named but vague\n2: Clear and specific"),
    (
        "Use of the framework",
        "0: Not used\n1: Named\n2: Applied to the community\n3: Applied, with evidence",
    ),
]

#: (title, topic position, assessed, due week, instructions)
ASSIGNMENTS = [
    (
        "Your community's domain, community and practice",
        3,
        True,
        2,
        "In one or two pages, describe the three structural elements of your community, with "
        "an example of each. Say which is weakest and why.",
    ),
    (
        "A value-creation story",
        2,
        True,
        4,
        "Write up one member's value-creation story (see the topic 2 activity), and say which "
        "cycles of value it shows.",
    ),
    (
        "Knowledge flow map",
        4,
        False,
        5,
        "Draw how questions and answers move through your community and upload the drawing.",
    ),
    (
        "Knowledge management plan: first draft",
        7,
        True,
        8,
        "A first draft of your knowledge management plan: what knowledge matters, where it "
        "flows, what you will change, and how you will know it worked.",
    ),
]

#: The first assignment in every state: learner number -> state.
STATES = {
    1: "accepted",
    2: "accepted",
    3: "changes_requested",
    4: "in_review",
    5: "submitted",
    6: "draft",
    7: "resubmitted",
    13: "submitted",
}


def _local(cohort: Cohort, week: int, weekday: int, hour: int) -> datetime:
    zone = ZoneInfo(cohort.timezone)
    day = cohort.starts_on + timedelta(days=7 * (week - 1) + weekday)
    return datetime.combine(day, time(hour), tzinfo=zone)


def _worksheets(cohort: Cohort) -> int:
    topics = list(cohort.course.topics.order_by("position"))
    made = 0
    for topic, (title, kind, prompt, fields) in zip(topics, WORKSHEETS, strict=False):
        if Worksheet.objects.filter(topic=topic, title=title).exists():
            continue
        worksheet = services.worksheet_create(topic=topic, title=title, prompt=prompt, kind=kind)
        for key, label, type_, choices, required in fields:
            services.worksheet_field_add(
                worksheet=worksheet,
                key=key,
                label=label,
                type=type_,
                choices=choices,
                required=required,
            )
        made += 1
    return made


def _assignments(cohort: Cohort, now: datetime) -> list[Assignment]:
    topics = {t.position: t for t in cohort.course.topics.all()}
    result = []
    for title, position, assessed, week, instructions in ASSIGNMENTS:
        assignment = cohort.assignments.filter(title=title).first()
        if assignment is None:
            assignment = services.assignment_create(
                cohort=cohort,
                title=title,
                topic=topics.get(position),
                instructions=instructions,
                due_at=_local(cohort, week, 4, 17),
                assessed=assessed,
            )
            if assessed:
                for criterion, levels in RUBRIC:
                    services.rubric_criterion_add(
                        assignment=assignment, title=criterion, levels_text=levels
                    )
            published = _local(cohort, max(week - 2, 1), 0, 9)
            if published <= now:
                assignment.published_at = published
                assignment.save(update_fields=["published_at"])
        result.append(assignment)
    return result


def _review(
    submission: Submission, reviewer: User, *, decision: str, release: bool, at: datetime
) -> None:
    review = services.review_start(submission=submission, reviewer=reviewer)
    criteria = list(submission.assignment.criteria.prefetch_related("levels"))
    good = decision == "accepted"
    scores = {c.pk: list(c.levels.all())[-1 if good else 1].points for c in criteria}
    feedback = (
        "Clear and well grounded: your example of the practice makes the element concrete."
        if good
        else "A good start. Say more about the **community**: who is in the core group, and "
        "how do newcomers find their way in?"
    )
    services.review_save(
        review=review,
        reviewer=reviewer,
        scores=scores,
        feedback=feedback,
        decision=decision,
        release=release,
        now=at,
        notify=False,
    )


def _submissions(cohort: Cohort, assignment: Assignment, reviewer: User, now: datetime) -> None:
    if assignment.submissions.exists() or not assignment.is_published:
        return
    base = min(assignment.due_at or now, now) - timedelta(days=3)
    for number, state in STATES.items():
        enrollment = Enrollment.objects.filter(
            cohort=cohort, learner__username=f"learner{number:02d}"
        ).first()
        if enrollment is None:
            continue
        at = base + timedelta(hours=number)
        text = (
            f"Our domain is open-source microscopy methods; the community is about {30 + number}"
            " facility staff and researchers; the practice is a shared protocol library and "
            "a monthly clinic."
        )
        if state == "draft":
            services.submission_draft_save(assignment=assignment, enrollment=enrollment, text=text)
            continue
        services.submission_submit(
            assignment=assignment, enrollment=enrollment, text=text, files=[], now=at
        )
        submission = Submission.objects.get(assignment=assignment, enrollment=enrollment)
        if state == "accepted":
            _review(submission, reviewer, decision="accepted", release=True, at=at + timedelta(1))
        elif state == "changes_requested":
            _review(
                submission,
                reviewer,
                decision="changes_requested",
                release=True,
                at=at + timedelta(1),
            )
        elif state == "in_review":
            services.review_start(submission=submission, reviewer=reviewer)
        elif state == "resubmitted":
            _review(
                submission,
                reviewer,
                decision="changes_requested",
                release=True,
                at=at + timedelta(1),
            )
            services.submission_submit(
                assignment=assignment,
                enrollment=enrollment,
                now=at + timedelta(2),
                text=text + " Newcomers are welcomed in a monthly onboarding call.",
                files=[],
            )


def _worksheet_answers(cohort: Cohort, now: datetime) -> None:
    first = Worksheet.objects.filter(topic__course=cohort.course, topic__position=1).first()
    if first is None:
        return
    for enrollment in cohort.enrollments.filter(status=Enrollment.Status.ENROLLED)[:8]:
        if first.responses.filter(enrollment=enrollment).exists():
            continue
        services.worksheet_save(
            worksheet=first,
            enrollment=enrollment,
            files={},
            now=now,
            submit=enrollment.learner.username < "learner05",
            values={
                "community_name": enrollment.community_name,
                "community_url": enrollment.community_url,
                "shared_concern": "Keeping shared instruments running and methods reproducible.",
                "interaction": "A busy chat channel, a monthly clinic call, an annual meeting.",
                "is_cop": "Partly",
            },
        )


GOALS = [
    "Draft the purpose and domain section",
    "Interview a member for a value-creation story",
    "Write who is in our core and active groups",
    "Map where questions go in our forum",
    "Draft the roles section with the coordinator",
    "Pick one participation challenge and an intervention",
    "Sketch where the community goes next year",
    "Tidy the playbook for the graduation event",
]


def _coworking(cohort: Cohort, now: datetime) -> int:
    if cohort.sessions.filter(kind=Session.Kind.COWORKING).exists():
        return 0
    learners = list(cohort.enrollments.filter(status=Enrollment.Status.ENROLLED).order_by("pk"))
    outcomes = ["met", "met", "partly", "met", "not_met"]
    for week in range(1, cohort.course.weeks + 1):
        start = _local(cohort, week, 2, 16)
        session = coworking.coworking_session_create(
            cohort=cohort,
            local_date=start.date(),
            local_time=start.time(),
            duration_minutes=60,
            title=f"Playbook co-working, week {week}",
        )
        if start > now:
            continue
        coworking.coworking_pairs_assign(session=session)
        goals = {}
        for i, enrollment in enumerate(learners):
            goals[enrollment.pk] = coworking.coworking_goal_set(
                session=session, enrollment=enrollment, text=GOALS[(week - 1) % len(GOALS)]
            )
            book = coworking.playbook_for(enrollment=enrollment)
            sections = list(book.sections.all())
            # Steady writers finish about a section a week; some fall behind.
            pace = 1 if i % 4 else 0
            if week - 1 < len(sections) and (pace or week % 2):
                section = sections[week - 1]
                coworking.playbook_section_update(
                    section=section,
                    now=start + timedelta(hours=2),
                    body=f"{section.guidance} Notes from week {week} for "
                    f"{enrollment.community_name}.",
                    status="done" if pace else "drafting",
                )
        after = start + timedelta(days=6)
        if after > now:
            continue
        for i, enrollment in enumerate(learners):
            for peer in coworking.pair_members(session=session, enrollment=enrollment):
                coworking.coworking_checkin(
                    goal=goals[peer.pk],
                    by=enrollment,
                    outcome=outcomes[(i + week) % 5],
                    note="",
                    now=after,
                )
    return cohort.course.weeks


def build(*, now: datetime, out: Console) -> list[str]:
    """Add coursework to the demo cohort; returns lines to print."""
    cohort = Cohort.objects.filter(slug=COHORT).select_related("course").first()
    if cohort is None:
        return [f"coursework: no cohort {COHORT!r} (run the academy demo first); skipped"]
    reviewer = (
        cohort.facilitators.order_by("username").first()
        or User.objects.filter(username="staff").first()
    )
    if reviewer is None:
        return ["coursework: no facilitator or staff user; skipped"]
    with transaction.atomic():
        worksheets = _worksheets(cohort)
        assignments = _assignments(cohort, now)
        if assignments:
            _submissions(cohort, assignments[0], reviewer, now)
        _worksheet_answers(cohort, now)
        weeks = _coworking(cohort, now)
    lines = [
        f"Coursework: {worksheets} worksheets added, {len(assignments)} assignments in "
        f"{cohort.name}" + (f", {weeks} weeks of co-working" if weeks else ""),
        "  review queue: /coursework/queue/ (facilitator1); a learner's view: learner03",
    ]
    return lines
