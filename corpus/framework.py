"""The SPRING Good Practice Criteria: five dimensions, twelve fixed questions.

The questions are the same in every practice, so a question alone tells its
dimension; this is how practices in a file without dimension headings get one.
"""

from __future__ import annotations

from corpus.records import Dimension

__all__ = ["QUESTIONS", "dimension_of", "match_question"]

_I, _R, _E, _S, _P = (
    Dimension.INCLUSIVITY,
    Dimension.RELEVANCE,
    Dimension.EFFECTIVENESS,
    Dimension.SUSTAINABILITY,
    Dimension.PARTNERSHIP,
)
QUESTIONS: dict[str, Dimension] = {
    "Does the practice ensure that its services are accessible and responsive to diverse "
    "groups?": _I,
    "Does the practice involve the active participation of the receiving society?": _I,
    "Does the practice consult its beneficiaries and involve them in the design, "
    "implementation, monitoring and evaluation of the action?": _I,
    "Are the objectives of the practice relevant to the needs of the migrants?": _R,
    "Is the practice relevant to the empowerment of migrants, the strengthening of their "
    "autonomy and the support of their long-term integration?": _R,
    "Does the practice align with the priorities, strategic goals and policies of other "
    "relevant stakeholders, and contribute to the wider integration framework?": _R,
    "Is the practice adequately planned and based on a comprehensive design?": _E,
    "Does the practice regularly monitor implementation and evaluate its results?": _E,
    "Is the practice prepared to sustain its positive effects after completion?": _S,
    "Does the practice attract structural funding and support from new sponsors and "
    "individuals, or have the potential to develop a business model to generate its own "
    "resources?": _S,
    "Does the practice establish communication and coordination with other relevant actors "
    "to foster the integration of migrants? (e.g., migrants, civil society, public "
    "authorities, businesses)": _P,
    "Does the practice contribute to discussion on the improvement of integration support "
    "policies?": _P,
}

_BY_KEY = {q.lower().rstrip("?) ").strip(): q for q in QUESTIONS}


def match_question(line: str) -> str | None:
    """The canonical question a line states, or None."""
    return _BY_KEY.get(line.strip().lower().rstrip("?) ").strip())


def dimension_of(question: str) -> Dimension:
    return QUESTIONS[question]
