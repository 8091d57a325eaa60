"""The concepts, their definitions (paraphrased) and their sources.

Definitions are paraphrases, never quotations. ``verified`` says how far the *source* of the
concept was checked (see the module docstring of :mod:`copkit.theory`). Where copkit turns a
concept into a measurable rule, the rule lives with the measure (``copkit.community.analysis``);
the concept here says what the idea is and where it comes from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Final, Literal

__all__ = ["CATEGORIES", "CONCEPTS", "Concept", "Verified", "concept", "concepts_in"]

Verified = Literal["V", "P", "U"]

CATEGORIES: Final = {
    "element": "Structural elements",
    "level": "Levels of participation",
    "role": "Roles",
    "trajectory": "Trajectories",
    "learning": "Learning in practice",
    "measure": "Knowledge-flow and participation measures",
    "value": "Value creation cycles",
    "stage": "Stages of development",
    "mode": "CSCCE participation modes",
}


@dataclass(frozen=True, slots=True)
class Concept:
    """One idea from the literature that copkit uses as a label or a measure."""

    id: str
    name: str
    category: str
    definition: str
    source: str
    verified: Verified
    url: str | None = None

    def to_json(self) -> dict[str, str | None]:
        """The concept as the analysis JSON carries it (without ``id`` and ``category``)."""
        data = asdict(self)
        del data["id"], data["category"]
        return data


# --- citations -----------------------------------------------------------------------------
_WMS2002 = (
    "Wenger, E., McDermott, R., & Snyder, W. M. (2002). Cultivating Communities of Practice: "
    "A Guide to Managing Knowledge. Boston, MA: Harvard Business School Press."
)
_WT2015 = (
    "Wenger-Trayner, E., & Wenger-Trayner, B. (2015). Communities of practice: "
    "a brief introduction."
)
_WT_LEVELS = "Wenger-Trayner, E., & Wenger-Trayner, B. Levels of participation (web page)."
_W1998 = (
    "Wenger, E. (1998). Communities of Practice: Learning, Meaning, and Identity. "
    "Cambridge: Cambridge University Press, ch. 6 'Identity in practice', "
    "Trajectories (p. 153 ff.)."
)
_W1998_CH7 = (
    "Wenger, E. (1998). Communities of Practice: Learning, Meaning, and Identity. "
    "Cambridge: Cambridge University Press, ch. 7."
)
_LW1991 = (
    "Lave, J., & Wenger, E. (1991). Situated Learning: Legitimate Peripheral Participation. "
    "Cambridge: Cambridge University Press, p. 29."
)
_WTDL2011 = (
    "Wenger, E., Trayner, B., & de Laat, M. (2011). Promoting and assessing value creation in "
    "communities and networks: a conceptual framework (Rapport 18). Ruud de Moor Centrum, "
    "Open Universiteit."
)
_CSCCE = (
    "Center for Scientific Collaboration and Community Engagement (2020). The CSCCE Community "
    "Participation Model. Woodley and Pratt. doi:10.5281/zenodo.3997802."
)
_CSCCE_CHAMPION = (
    "CSCCE (2021). The CSCCE Community Participation Model - Exploring the Champion mode. "
    "Woodley & Pratt. doi:10.5281/zenodo.5275270."
)
_NIELSEN = (
    "Nielsen, J. (2006). Participation Inequality: Encouraging More Users to Contribute. "
    "Nielsen Norman Group."
)
_ZAA2007 = (
    "Zhang, J., Ackerman, M. S., & Adamic, L. (2007). Expertise networks in online communities: "
    "structure and algorithms. Proceedings of WWW '07, pp. 221-230. ACM."
)
_BE1999 = (
    "Borgatti, S. P., & Everett, M. G. (1999). Models of core/periphery structures. "
    "Social Networks, 21(4), 375-395. doi:10.1016/S0378-8733(99)00019-2."
)
_CHAOSS_CAF = "CHAOSS Risk working group. Contributor Absence Factor (metric definition)."
_CHAOSS_TTFR = "CHAOSS Common working group. Time to First Response (metric definition)."
_BURT2004 = (
    "Burt, R. S. (2004). Structural holes and good ideas. American Journal of Sociology, 110, "
    "349-399 (constraint as implemented in igraph)."
)
_LEIDEN = (
    "Traag, V. A., Waltman, L., & van Eck, N. J. (2019). From Louvain to Leiden: guaranteeing "
    "well-connected communities. Scientific Reports, 9, 5233. doi:10.1038/s41598-019-41695-z."
)
_GRIMOIRE = (
    "GrimoireLab (CHAOSS) dashboards: the contributors 'onion' (core to 80 % of activity, "
    "regular to 95 %, casual the rest)."
)
_FREEMAN = (
    "Freeman, L. C. (1977). A set of measures of centrality based on betweenness. "
    "Sociometry, 40(1), 35-41."
)
_GINI = "Gini, C. (1912). Variabilita e mutabilita. Bologna."
_WF1994 = (
    "Wasserman, S., & Faust, K. (1994). Social Network Analysis: Methods and Applications. "
    "Cambridge University Press (reciprocity of a directed graph)."
)
_SEIDMAN = (
    "Seidman, S. B. (1983). Network structure and minimum degree. Social Networks, 5(3), "
    "269-287 (k-cores)."
)
_ORBIT = "Orbit model (orbit-love/orbit-model): moved-up / held / moved-down between periods."
_COPKIT = "copkit operational definition (documented rule; see docs/analysis-json.md)."

_URL_WT_LEVELS = "https://wenger-trayner.com/project/levels-of-participation/"
_URL_WMS_LEVELS = (
    "https://groups.diigo.com/group/encourage_user_participation/content/user/schnabo?dm=middle"
)
_URL_TRAJ = "https://www.rebeccawestburns.com/my-blog-3/notes/wengers-five-trajectories"
_URL_VALUE = "https://blogarchive.wenger-trayner.com/2011/12/27/evaluation-framework"
_URL_CSCCE = "https://www.cscce.org/resources/community-participation-model/"
_URL_STAGES = (
    "http://andreeaenistorescu.blogspot.com/2010/12/communities-of-practice-chapters4-5.html"
)


def _c(
    id: str,
    name: str,
    category: str,
    definition: str,
    source: str,
    verified: Verified,
    url: str | None = None,
) -> Concept:
    return Concept(id, name, category, definition, source, verified, url)


_ALL: Final = (
    # --- structural elements ------------------------------------------------------------------
    _c(
        "domain",
        "Domain",
        "element",
        "The shared domain of interest and competence that gives the community its identity.",
        _WT2015,
        "V",
        "https://groups.diigo.com/group/beyondwebct/content/tag/CoP",
    ),
    _c(
        "community",
        "Community",
        "element",
        "The people and their relationships: joint activities and discussions through which "
        "members help each other and learn together.",
        _WT2015,
        "V",
        "https://groups.diigo.com/group/beyondwebct/content/tag/CoP",
    ),
    _c(
        "practice",
        "Practice",
        "element",
        "Members are practitioners who develop a shared repertoire: frameworks, tools, "
        "stories, documents and ways of addressing recurring problems.",
        _WT2015,
        "V",
        "https://groups.diigo.com/group/beyondwebct/content/tag/CoP",
    ),
    # --- levels of participation --------------------------------------------------------------
    _c(
        "core",
        "Core group",
        "level",
        "A relatively small group whose passion and engagement energise and nurture the "
        "community; Wenger, McDermott & Snyder (2002) put it at about 10-15 % of members.",
        f"{_WT_LEVELS} Proportion: {_WMS2002}",
        "V",
        _URL_WT_LEVELS,
    ),
    _c(
        "active",
        "Active",
        "level",
        "Members recognised as practitioners who define the community, taking part "
        "regularly but less than the core; about another 15-20 % in Wenger, McDermott & "
        "Snyder (2002).",
        f"{_WT_LEVELS} Proportion: {_WMS2002}",
        "V",
        _URL_WT_LEVELS,
    ),
    _c(
        "occasional",
        "Occasional",
        "level",
        "Members who take part only when a topic is of special interest, when they have "
        "something specific to offer, or when a related project involves them.",
        _WT_LEVELS,
        "V",
        _URL_WT_LEVELS,
    ),
    _c(
        "peripheral",
        "Peripheral",
        "level",
        "A sustained connection with less engagement and authority, because members are "
        "newcomers or less committed; they still learn and may carry the learning elsewhere.",
        _WT_LEVELS,
        "V",
        _URL_WT_LEVELS,
    ),
    _c(
        "transactional",
        "Transactional",
        "level",
        "Outsiders who interact with the community now and then without being members, to "
        "get or give a service or to use its artefacts.",
        _WT_LEVELS,
        "V",
        _URL_WT_LEVELS,
    ),
    _c(
        "lurker",
        "Lurker",
        "level",
        "A member who reads but does not contribute; in Nielsen's rule of thumb about 90 % "
        "of users of online communities. copkit counts a member as a lurker only where the "
        "source lists members who never acted.",
        _NIELSEN,
        "V",
        "https://www.nngroup.com/articles/participation-inequality/",
    ),
    _c(
        "level_flows",
        "Movement between levels",
        "level",
        "People move across levels over time; flows between levels are a sign of health.",
        _WT_LEVELS,
        "V",
        _URL_WT_LEVELS,
    ),
    # --- roles ------------------------------------------------------------------------------------
    _c(
        "coordinator",
        "Coordinator",
        "role",
        "The member who organises events and connects members; other members, especially "
        "the core group, also take leadership roles.",
        _WMS2002,
        "V",
        _URL_WMS_LEVELS,
    ),
    _c(
        "expert",
        "Expert (answerer)",
        "role",
        "A member whose answers others seek: in a help-seeking network, the people who "
        "answer many others' questions.",
        _ZAA2007,
        "V",
        "http://www2007.org/htmlpapers/paper516/",
    ),
    _c(
        "asker",
        "Asker",
        "role",
        "A member who brings questions to the community: the seeking side of the "
        "help-seeking network.",
        _ZAA2007,
        "V",
        "http://www2007.org/htmlpapers/paper516/",
    ),
    _c(
        "connector",
        "Connector",
        "role",
        "A member on many of the shortest paths between others (high betweenness), through "
        "whom knowledge passes from one part of the community to another.",
        _FREEMAN,
        "U",
    ),
    _c(
        "broker",
        "Broker",
        "role",
        "A member whose contacts are not connected to each other (low Burt constraint): "
        "they span structural holes and can carry ideas between groups.",
        _BURT2004,
        "V",
        "https://search.r-project.org/CRAN/refmans/igraph/html/constraint.html",
    ),
    _c(
        "boundary_spanner",
        "Boundary spanner",
        "role",
        "A member whose participation spans several spaces or subgroups, linking practices; "
        "the role that Wenger's boundary trajectory describes over time.",
        _W1998,
        "V",
        _URL_TRAJ,
    ),
    _c(
        "newcomer",
        "Newcomer",
        "role",
        "A member who first takes part in the period: the starting point of legitimate "
        "peripheral participation.",
        _LW1991,
        "V",
        "https://www.maurocherubini.it/legitimate-peripheral-participation/",
    ),
    # --- trajectories -------------------------------------------------------------------------
    _c(
        "trajectory_peripheral",
        "Peripheral trajectory",
        "trajectory",
        "Participation that never leads to full participation, though it may give real "
        "access to the practice.",
        _W1998,
        "V",
        _URL_TRAJ,
    ),
    _c(
        "trajectory_inbound",
        "Inbound trajectory",
        "trajectory",
        "Newcomers investing in the practice with future full participation in view.",
        _W1998,
        "V",
        _URL_TRAJ,
    ),
    _c(
        "trajectory_insider",
        "Insider trajectory",
        "trajectory",
        "Full members whose identity keeps evolving with the practice.",
        _W1998,
        "V",
        _URL_TRAJ,
    ),
    _c(
        "trajectory_boundary",
        "Boundary trajectory",
        "trajectory",
        "Participation that spans and brokers between communities.",
        _W1998,
        "V",
        _URL_TRAJ,
    ),
    _c(
        "trajectory_outbound",
        "Outbound trajectory",
        "trajectory",
        "Participation leading out of the community, towards new relationships and a new "
        "view of oneself.",
        _W1998,
        "V",
        _URL_TRAJ,
    ),
    # --- learning -----------------------------------------------------------------------------
    _c(
        "lpp",
        "Legitimate peripheral participation",
        "learning",
        "Learning as situated activity: newcomers move towards full participation in a "
        "community's practices through relations with old-timers, activities and artefacts.",
        _LW1991,
        "V",
        "https://www.maurocherubini.it/legitimate-peripheral-participation/",
    ),
    _c(
        "peripherality",
        "Peripherality and marginality",
        "learning",
        "Non-participation that enables participation (peripherality, e.g. newcomers) versus "
        "non-participation that blocks full participation (marginality).",
        _W1998_CH7,
        "V",
        "https://katherinehinchey.com/?p=994",
    ),
    # --- measures -----------------------------------------------------------------------------
    _c(
        "onion",
        "Activity onion",
        "measure",
        "Members sorted by activity: core are those who together make the first 80 % of "
        "activity, regular those up to 95 %, casual the rest.",
        _GRIMOIRE,
        "P",
    ),
    _c(
        "k_core",
        "Coreness (k-core)",
        "measure",
        "The largest k such that a member belongs to a subgraph where every member has at "
        "least k ties: a discrete view of how central someone is in the reply network.",
        _SEIDMAN,
        "U",
    ),
    _c(
        "core_periphery",
        "Core/periphery structure",
        "measure",
        "A dense, cohesive core and a sparse periphery in a network; network coreness is one "
        "way to place members on that scale.",
        _BE1999,
        "V",
    ),
    _c(
        "participation_inequality",
        "Participation inequality (90-9-1)",
        "measure",
        "In most online communities a few members make almost all contributions and most "
        "never contribute; a rule of thumb, not a fitted model.",
        _NIELSEN,
        "V",
        "https://www.nngroup.com/articles/participation-inequality/",
    ),
    _c(
        "time_to_first_response",
        "Time to first response",
        "measure",
        "Time between a thread's start and the first reply by someone other than its author "
        "(bots excluded); copkit always reports the share left unanswered beside it.",
        _CHAOSS_TTFR,
        "V",
        "https://github.com/chaoss/wg-common/blob/main/focus-areas/time/time-to-first-response.md",
    ),
    _c(
        "absence_factor",
        "Contributor Absence Factor",
        "measure",
        "The smallest number of members responsible for 50 % of contributions (here: of "
        "answers and replies to others); low values mean dependence on a few.",
        _CHAOSS_CAF,
        "V",
        "https://github.com/chaoss/wg-risk/blob/main/focus-areas/business-risk/contributor-absence-factor.md",
    ),
    _c(
        "gini",
        "Gini coefficient",
        "measure",
        "Inequality of a distribution from 0 (everyone gives the same) to close to 1 (one "
        "member gives everything); here over members' answers and replies to others.",
        _GINI,
        "U",
    ),
    _c(
        "reciprocity",
        "Reciprocity",
        "measure",
        "The share of directed ties in the help network that are returned (A helps B and B "
        "helps A).",
        _WF1994,
        "U",
    ),
    _c(
        "betweenness",
        "Betweenness centrality",
        "measure",
        "How often a member lies on the shortest paths between two others.",
        _FREEMAN,
        "U",
    ),
    _c(
        "constraint",
        "Burt's constraint",
        "measure",
        "How redundant a member's contacts are; low constraint means access to structural "
        "holes (brokerage opportunities).",
        _BURT2004,
        "V",
        "https://search.r-project.org/CRAN/refmans/igraph/html/constraint.html",
    ),
    _c(
        "leiden",
        "Leiden subgroups",
        "measure",
        "Subgroups found by the Leiden algorithm, which optimises modularity and guarantees "
        "well-connected groups.",
        _LEIDEN,
        "V",
        "https://doi.org/10.1038/s41598-019-41695-z",
    ),
    _c(
        "level_transitions",
        "Moved up / held / moved down",
        "measure",
        "Between two periods, count the members whose level rose, stayed or fell.",
        _ORBIT,
        "P",
    ),
    _c(
        "newcomer_experience",
        "Newcomer experience",
        "measure",
        "Whether a newcomer's first post is answered, how fast, and whether the newcomer "
        "comes back within 30 and 90 days.",
        _COPKIT,
        "P",
    ),
    # --- value creation -----------------------------------------------------------------------
    _c(
        "value_immediate",
        "Immediate value",
        "value",
        "Activities and interactions have value in themselves: a good tip, meeting someone, "
        "inspiration.",
        _WTDL2011,
        "V",
        _URL_VALUE,
    ),
    _c(
        "value_potential",
        "Potential value (knowledge capital)",
        "value",
        "Value stored for later: personal assets, relationships, resources, reputation and "
        "a transformed ability to learn.",
        _WTDL2011,
        "V",
        _URL_VALUE,
    ),
    _c(
        "value_applied",
        "Applied value",
        "value",
        "Changes in practice from adapting and applying knowledge capital to a situation.",
        _WTDL2011,
        "V",
        _URL_VALUE,
    ),
    _c(
        "value_realized",
        "Realized value",
        "value",
        "Performance improvement on what matters to stakeholders.",
        _WTDL2011,
        "V",
        _URL_VALUE,
    ),
    _c(
        "value_reframing",
        "Reframing value",
        "value",
        "Learning leads to redefining success: strategies, goals and values.",
        _WTDL2011,
        "V",
        _URL_VALUE,
    ),
    # --- stages ---------------------------------------------------------------------------------
    _c(
        "stage_potential",
        "Potential",
        "stage",
        "A loose network of people discovers common ground.",
        _WMS2002,
        "P",
        _URL_STAGES,
    ),
    _c(
        "stage_coalescing",
        "Coalescing",
        "stage",
        "Ideas incubate, value is defined, trust and relationships are built.",
        _WMS2002,
        "P",
        _URL_STAGES,
    ),
    _c(
        "stage_maturing",
        "Maturing",
        "stage",
        "The main issue moves from establishing value to clarifying focus, role and boundaries.",
        _WMS2002,
        "P",
        _URL_STAGES,
    ),
    _c(
        "stage_stewardship",
        "Stewardship",
        "stage",
        "Keeping the practice fresh and sustaining momentum.",
        _WMS2002,
        "P",
        _URL_STAGES,
    ),
    _c(
        "stage_transformation",
        "Transformation",
        "stage",
        "The community ends or transforms: fades away, becomes a social club, splits or "
        "merges, or is institutionalised.",
        _WMS2002,
        "V",
        "https://growingpains.blogs.com/home/2004/04/a_butterfly_eff.html",
    ),
    # --- CSCCE modes ------------------------------------------------------------------------------
    _c(
        "mode_convey",
        "Convey / consume",
        "mode",
        "A manager conveys information that members consume independently of one another "
        "(transmissive flow).",
        _CSCCE,
        "V",
        _URL_CSCCE,
    ),
    _c(
        "mode_contribute",
        "Contribute",
        "mode",
        "Members are invited or facilitated to contribute, making their skills and interests "
        "visible (transactional flow).",
        _CSCCE,
        "V",
        _URL_CSCCE,
    ),
    _c(
        "mode_collaborate",
        "Collaborate",
        "mode",
        "Members work with one another while the manager scaffolds less visibly "
        "(transactional flow).",
        _CSCCE,
        "V",
        _URL_CSCCE,
    ),
    _c(
        "mode_co_create",
        "Co-create",
        "mode",
        "Members work together to create something they could not before (transformational flow).",
        _CSCCE,
        "V",
        _URL_CSCCE,
    ),
    _c(
        "mode_champion",
        "Champion",
        "mode",
        "Emergent leaders act, formally or informally, to maintain, grow or evolve the "
        "community, inside or outside it.",
        _CSCCE_CHAMPION,
        "V",
        _URL_CSCCE,
    ),
)

CONCEPTS: Final[dict[str, Concept]] = {c.id: c for c in _ALL}


def concept(concept_id: str) -> Concept:
    """The concept with this id.

    Raises
    ------
    KeyError
        If no concept has that id (a programming error: labels only name known concepts).

    Examples
    --------
    >>> concept("trajectory_inbound").name
    'Inbound trajectory'
    """
    return CONCEPTS[concept_id]


def concepts_in(category: str) -> tuple[Concept, ...]:
    """The concepts of one category, in their documented order.

    Examples
    --------
    >>> [c.id for c in concepts_in("element")]
    ['domain', 'community', 'practice']
    """
    if category not in CATEGORIES:
        raise KeyError(f"unknown concept category {category!r}; known: {', '.join(CATEGORIES)}")
    return tuple(c for c in _ALL if c.category == category)
