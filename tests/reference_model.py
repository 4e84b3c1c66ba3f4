"""A small, independent reference model of the chronicle, answering narratives by brute force.

It shares no code with chronicle's projections: it keeps the commands it was given, and for each
question replays those recorded by ``known_at`` into plain lists, then picks by hand what was
current on ``as_of``. The property tests check the real read models against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ModelClaim:
    slug: str
    source: str
    topic: str
    versions: list[dict] = field(default_factory=list)


@dataclass
class Model:
    camps: dict[str, str]
    figure_topics: set[str]
    commands: list[tuple] = field(default_factory=list)

    def record(self, *command) -> None:
        self.commands.append(command)

    def narrative(self, as_of: int, camps: set[str] | None, known: int | None = None) -> dict[str, set]:
        """topic -> {(claim, version, kind, status, text, value, disputed)} for the lens (None: everyone).

        Days are day-of-month numbers; ``known`` is how many of the commands had been recorded.
        """
        claims, links = self._replay(self.commands if known is None else self.commands[:known])
        current = {}
        for claim in claims.values():
            said = [(n, v) for n, v in enumerate(claim.versions) if v["day"] <= as_of]
            if said and (camps is None or self.camps[claim.source] in camps):
                current[claim.slug] = said[-1]
        answer: dict[str, set] = {}
        for slug, (number, version) in current.items():
            claim = claims[slug]
            status = "retracted" if version["kind"] == "retracted" else "current"
            if status == "current" and claim.topic in self.figure_topics:
                rivals = [(current[s][1]["day"], s) for s in current
                          if claims[s].topic == claim.topic and current[s][1]["kind"] != "retracted"]
                if max(rivals) != (version["day"], slug):
                    status = "superseded"
            disputed = any(target == slug and day <= as_of for _, target, day in links)
            answer.setdefault(claim.topic, set()).add(
                (slug, number, version["kind"], status, version["text"], version["value"], disputed))
        return answer

    def _replay(self, commands: list[tuple]) -> tuple[dict[str, ModelClaim], list[tuple]]:
        claims: dict[str, ModelClaim] = {}
        links: list[tuple] = []
        for command in commands:
            kind, slug = command[0], command[1]
            if kind == "state":
                _, _, source, topic, day, text, value = command
                claims[slug] = ModelClaim(slug, source, topic,
                                          [{"kind": "stated", "day": day, "text": text, "value": value}])
            elif kind in ("revise", "retract"):
                _, _, day, text, value = command
                last = claims[slug].versions[-1]
                claims[slug].versions.append({
                    "kind": "revised" if kind == "revise" else "retracted", "day": day,
                    "text": last["text"] if text is None else text,
                    "value": last["value"] if value is None else value})
            elif kind == "dispute":
                links.append((slug, command[2], claims[slug].versions[0]["day"]))
            elif kind == "correct":
                _, _, number, text = command
                claims[slug].versions[number]["text"] = text
        return claims, links
