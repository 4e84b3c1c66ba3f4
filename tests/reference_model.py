"""A small, independent reference model of the chronicle, answering narratives by brute force.

It shares no code with chronicle's projections: it keeps the commands it was given, and for each
question replays those recorded by ``known_at`` into plain lists, then picks by hand what was
current on ``as_of``. A claim's versions are kept with the order they were recorded in and placed
by the day they were stated; what a version does not say it takes from the version before it in
stated order. A command the chronicle must refuse (a revision after a retraction with no
reinstatement between) is refused here too, by the same rule written again. The property tests
check the real read models against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ModelClaim:
    slug: str
    source: str
    topic: str
    versions: list[dict] = field(default_factory=list)  # in recorded order; "number" is the index

    def in_stated_order(self) -> list[dict]:
        """Every version with its words filled in from the versions before it in stated order."""
        ordered, before = [], {"text": None, "value": None}
        for version in sorted(self.versions, key=lambda v: (v["day"], v["number"])):
            text = version["text"] if version["text"] is not None else before["text"]
            value = version["value"] if version["value"] is not None else before["value"]
            before = {**version, "text": text, "value": value}
            ordered.append(before)
        return ordered


def acceptable(versions: list[dict]) -> bool:
    """The statement comes first; a retraction is followed only by a reinstatement, which follows only it."""
    ordered = sorted(versions, key=lambda v: (v["day"], v["number"]))
    if ordered[0]["kind"] != "stated":
        return False
    pairs = list(zip(ordered, ordered[1:]))
    return all((a["kind"] != "retracted" or b["kind"] == "reinstated")
               and (b["kind"] != "reinstated" or a["kind"] == "retracted") for a, b in pairs)


@dataclass
class Model:
    camps: dict[str, str]
    figure_topics: set[str]
    commands: list[tuple] = field(default_factory=list)

    def record(self, *command) -> bool:
        """Keep a command the chronicle accepts; return whether it was accepted."""
        claims, _ = self._replay(self.commands + [command])
        if command[0] in ("revise", "retract", "reinstate") and not acceptable(claims[command[1]].versions):
            return False
        self.commands.append(command)
        return True

    def versions_recorded(self, slug: str) -> int:
        claims, _ = self._replay(self.commands)
        return len(claims[slug].versions)

    def narrative(self, as_of: int, camps: set[str] | None, known: int | None = None) -> dict[str, set]:
        """topic -> {(claim, version, kind, status, text, value, disputed)} for the lens (None: everyone).

        Days are day-of-month numbers; ``known`` is how many of the commands had been recorded.
        """
        claims, links = self._replay(self.commands if known is None else self.commands[:known])
        current = {}
        for claim in claims.values():
            said = [v for v in claim.in_stated_order() if v["day"] <= as_of]
            if said and (camps is None or self.camps[claim.source] in camps):
                current[claim.slug] = said[-1]
        answer: dict[str, set] = {}
        for slug, version in current.items():
            claim = claims[slug]
            status = "retracted" if version["kind"] == "retracted" else "current"
            if status == "current" and claim.topic in self.figure_topics:
                rivals = [(current[s]["day"], s) for s in current
                          if claims[s].topic == claim.topic and current[s]["kind"] != "retracted"]
                if max(rivals) != (version["day"], slug):
                    status = "superseded"
            disputed = any(target == slug and day <= as_of for _, target, day in links)
            answer.setdefault(claim.topic, set()).add(
                (slug, version["number"], version["kind"], status, version["text"], version["value"], disputed))
        return answer

    def _replay(self, commands: list[tuple]) -> tuple[dict[str, ModelClaim], list[tuple]]:
        claims: dict[str, ModelClaim] = {}
        links: list[tuple] = []
        for command in commands:
            kind, slug = command[0], command[1]
            if kind == "state":
                _, _, source, topic, day, text, value = command
                claims[slug] = ModelClaim(slug, source, topic,
                                          [{"number": 0, "kind": "stated", "day": day, "text": text, "value": value}])
            elif kind in ("revise", "retract", "reinstate"):
                _, _, day, text, value = command
                versions = claims[slug].versions
                versions.append({"number": len(versions), "day": day, "text": text, "value": value,
                                 "kind": {"revise": "revised", "retract": "retracted", "reinstate": "reinstated"}[kind]})
            elif kind == "dispute":
                links.append((slug, command[2], claims[slug].versions[0]["day"]))
            elif kind == "correct":
                _, _, number, text = command
                claims[slug].versions[number]["text"] = text
        return claims, links
