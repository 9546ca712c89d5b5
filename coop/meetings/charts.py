"""The result of an ALV vote as a chart (coop.charts), for the proposal page and the
minutes PDF. Built from the plain values of `convocation.proposal_values`."""

from flask_babel import gettext as _

from coop.charts import Chart, Series, bar_chart


def vote_chart(proposal: dict) -> Chart | None:
    """Votes per choice (or per candidate) of a closed vote; None while it is not closed."""
    if proposal["status"] != "closed":
        return None
    blank, invalid = proposal["votes_blank"], proposal["votes_invalid"]
    if proposal["candidates"]:
        choices = [c["name"] + (f" ({_('elected')})" if c["elected"] else "")
                   for c in proposal["candidates"]]
        votes = [c["votes"] for c in proposal["candidates"]]
        per_candidate = "; ".join(f"{name}: {count}" for name, count in zip(choices, votes,
                                                                          strict=True))
        description = _("Votes per candidate in “%(title)s”: %(votes)s; blank %(blank)d, "
                        "invalid %(invalid)d.", title=proposal["title"],
                        votes=per_candidate, blank=blank, invalid=invalid)
    else:
        choices = [_("For"), _("Against"), _("Abstain")]
        votes = [proposal["votes_for"], proposal["votes_against"], proposal["votes_abstain"]]
        description = _("Votes on “%(title)s”: for %(for)d, against %(against)d, abstain "
                        "%(abstain)d, blank %(blank)d, invalid %(invalid)d.",
                        title=proposal["title"], blank=blank, invalid=invalid,
                        **{"for": votes[0], "against": votes[1], "abstain": votes[2]})
    return bar_chart(
        _("Vote result: %(title)s", title=proposal["title"]), description,
        [*choices, _("Blank"), _("Invalid")],
        [Series(_("Votes"), [*votes, blank, invalid])],
        unit="count", horizontal=True, category_label=_("Choice"),
    )
