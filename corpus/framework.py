"""The SPRING Good Practice Criteria: five dimensions, twelve fixed questions.

The questions are the same in every practice, so a question alone tells its
dimension; this is how practices in a file without dimension headings get one.
"""

from __future__ import annotations

from corpus.records import Dimension

__all__ = ["QUESTIONS", "dimension_of", "match_question"]

QUESTIONS: dict[str, Dimension] = {
    "Does the practice ensure that its services are accessible and responsive to diverse "
    "groups?": Dimension.INCLUSIVITY,
    "Does the practice involve the active participation of the receiving society?":
        Dimension.INCLUSIVITY,
    "Does the practice consult its beneficiaries and involve them in the design, "
    "implementation, monitoring and evaluation of the action?": Dimension.INCLUSIVITY,
    "Are the objectives of the practice relevant to the needs of the migrants?":
        Dimension.RELEVANCE,
    "Is the practice relevant to the empowerment of migrants, the strengthening of their "
    "autonomy and the support of their long-term integration?": Dimension.RELEVANCE,
    "Does the practice align with the priorities, strategic goals and policies of other "
    "relevant stakeholders, and contribute to the wider integration framework?":
        Dimension.RELEVANCE,
    "Is the practice adequately planned and based on a comprehensive design?":
        Dimension.EFFECTIVENESS,
    "Does the practice regularly monitor implementation and evaluate its results?":
        Dimension.EFFECTIVENESS,
    "Is the practice prepared to sustain its positive effects after completion?":
        Dimension.SUSTAINABILITY,
    "Does the practice attract structural funding and support from new sponsors and "
    "individuals, or have the potential to develop a business model to generate its own "
    "resources?": Dimension.SUSTAINABILITY,
    "Does the practice establish communication and coordination with other relevant actors "
    "to foster the integration of migrants? (e.g., migrants, civil society, public "
    "authorities, businesses)": Dimension.PARTNERSHIP,
    "Does the practice contribute to discussion on the improvement of integration support "
    "policies?": Dimension.PARTNERSHIP,
}

_BY_KEY = {q.lower().rstrip("?) ").strip(): q for q in QUESTIONS}


def match_question(line: str) -> str | None:
    """The canonical question a line states, or None."""
    return _BY_KEY.get(line.strip().lower().rstrip("?) ").strip())


def dimension_of(question: str) -> Dimension:
    return QUESTIONS[question]
