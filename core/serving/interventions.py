"""What if the LSTM had forgotten here, never read this word, or lost a unit? Exact answers from the weights.

An intervention changes the X-ray's numpy replay (:mod:`core.serving.xray`) at one place
and the review is read again, so the new verdict is what the model itself would say:

* ``forget:T``: at step T the forget gate is 0: the cell state carried into T is dropped,
  the word at T still writes (``c = i * tanh(g)``). GRU: the update gate is 0 (``h = hh``:
  nothing of the old state is kept directly; the candidate still reads it through the reset
  gate, as an LSTM's gates still read ``h``).
* ``ignore:T``: at step T the input gate is 0: the word writes nothing (``c = f * c``; h is
  still ``o * tanh(c)``). GRU: the update gate is 1 (``h`` carried over, as ``freeze``).
* ``freeze:T``: the state (h and c) is carried over step T unchanged, as over a masked step.
* a span ``KIND:T-U`` (forget, ignore, freeze): the same kind at every step from T to U, stacked.
* ``silence:J``: unit J's h (and c) are held at 0 at every step: it feeds no gate and the
  classifier reads 0. In a bidirectional layer units ``0..u-1`` are forward, ``u..2u-1`` backward.
* ``transplant:T=S``: the state (h and c) after step T is replaced by the state after step S of
  the same review, as the untouched model read it (each direction its own).
* ``transplant:T="OTHER TEXT"``: ... by the state after the last word of another text, as the
  model reads that text alone (one-way models only: a backward direction has no "after the
  last word"). The text is clipped to :data:`MAX_OTHER_CHARS` characters (:func:`core.text.limits.clip`)
  and kept as its words only (:func:`other_words`), so a spec, and a link, holds letters,
  digits, apostrophes and spaces between its quotes, never a comma or a quote.

Steps are counted as the X-ray counts them (the start token is step 0); a step intervention
hits both directions of a bidirectional layer. Each hits the last recurrent layer unless the
spec names another: ``forget:3@1`` is layer 1 (1-based). Interventions stack (all apply at once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from core.errors import LabError
from core.model.metrics import log_odds
from core.serving import xray as xr
from core.text import limits, tokenizer

STEP_KINDS = ("forget", "ignore", "freeze", "transplant")
KINDS = (*STEP_KINDS, "silence")
#: How much a step's contribution (change of the running verdict's log-odds) must move to count as changed.
CHANGED = 1e-6
#: Most interventions stacked at once (a link or the X-ray's controls): each one reads the review again.
MAX_STACKED = 8
#: Characters of another text read for ``transplant:T="..."`` (the rest is cut): a prefix, a sentence.
MAX_OTHER_CHARS = 200
#: Longest list of specs read (a link's ``intervene``): 8 short ones and two other texts.
MAX_SPECS_CHARS = 40 * MAX_STACKED + 2 * MAX_OTHER_CHARS
#: Kinds that take a span of steps (``ignore:3-5``).
SPAN_KINDS = ("forget", "ignore", "freeze")
_SPEC = re.compile(
    r'^\s*([a-z]+)\s*:\s*(-?\d+)\s*(?:-\s*(\d{1,7})\s*)?(?:=\s*(?:(-?\d+)|"([^"]*)")\s*)?(?:@\s*(-?\d+))?\s*$'
)


class InterventionError(LabError):
    """An intervention that cannot be applied: its kind, place or layer is wrong for this review or run."""


@dataclass(frozen=True)
class Intervention:
    kind: str  # one of KINDS
    where: int  # a step (forget, ignore, freeze) or a unit (silence), 0-based
    layer: int | None = None  # 1-based recurrent layer; None: the last
    source: int | None = None  # transplant: the step whose state is put after ``where``
    until: int | None = None  # a span's last step (forget, ignore, freeze at where..until)
    other: str | None = None  # transplant: another text (its words), whose final state is put after ``where``

    def __str__(self) -> str:
        span = f"-{self.until}" if self.until is not None else ""
        source = f"={self.source}" if self.source is not None else (f'="{self.other}"' if self.other else "")
        return f"{self.kind}:{self.where}{span}{source}" + (f"@{self.layer}" if self.layer is not None else "")

    @property
    def steps(self) -> range:
        """The steps a step kind hits: ``where`` alone, or the span ``where..until``."""
        return range(self.where, (self.where if self.until is None else self.until) + 1)


def other_words(text: str) -> str:
    """Another text as a transplant keeps it: its first :data:`MAX_OTHER_CHARS` characters' words, lowercased."""
    clipped, _ = limits.clip(str(text), keep_end=False, limit=MAX_OTHER_CHARS)
    return " ".join(tokenizer.tokenize(clipped))


def parse(spec: str) -> Intervention:
    """``KIND:WHERE[-UNTIL][=SOURCE or ="TEXT"][@LAYER]`` -> an :class:`Intervention` (a clear message if not one)."""
    match = _SPEC.match(str(spec).lower()) if len(str(spec)) <= MAX_SPECS_CHARS else None
    if not match:
        raise InterventionError(
            f"Intervention {spec!r} is not KIND:WHERE: write for example forget:3, ignore:5, freeze:2, silence:0 "
            f"or transplant:8=3 (optionally @LAYER, e.g. forget:3@1)."
        )
    kind, where, until, source, other, layer = match.group(1), int(match.group(2)), *match.group(3, 4, 5, 6)
    if kind not in KINDS:
        raise InterventionError(f"Intervention {spec!r}: unknown kind {kind!r}; choose one of {', '.join(KINDS)}.")
    if until is not None and (kind not in SPAN_KINDS or int(until) < where):
        raise InterventionError(
            f"Intervention {spec!r}: a span T-U runs forward (U at least T) and is for {', '.join(SPAN_KINDS)} only "
            f"(e.g. ignore:3-5)."
        )
    until = None if until is None or int(until) == where else int(until)
    if (kind == "transplant") != (source is not None or other is not None):
        raise InterventionError(
            f"Intervention {spec!r}: only transplant takes a source step (transplant:T=S puts the state after "
            f'step S in place of the one after step T; transplant:T="a text" the state after that text).'
        )
    if other is not None and not other_words(other):
        raise InterventionError(
            f'Intervention {spec!r}: the other text has no words to read: transplant:8="great film".'
        )
    return Intervention(
        kind,
        where,
        None if layer is None else int(layer),
        None if source is None else int(source),
        until,
        None if other is None else other_words(other),
    )


def parse_many(text: str) -> list[Intervention]:
    """Comma-separated specs (``forget:3,silence:5``, as a link carries them) -> interventions, at most :data:`MAX_STACKED`."""
    if len(str(text)) > MAX_SPECS_CHARS:
        raise InterventionError(f"At most {MAX_SPECS_CHARS} characters of interventions; {len(str(text))} were given.")
    specs = [s for s in str(text).split(",") if s.strip()]
    if len(specs) > MAX_STACKED:
        raise InterventionError(f"At most {MAX_STACKED} interventions at once; {len(specs)} were given.")
    return [parse(s) for s in specs]


def check(interventions: list[Intervention], steps: int, config) -> None:
    """Refuse an intervention outside this review's steps, the layer's units or the run's layers."""
    units = config.units * (2 if config.bidirectional else 1)
    for it in interventions:
        if it.layer is not None and not 1 <= it.layer <= config.layers:
            raise InterventionError(
                f"{it}: layer {it.layer} does not exist; this run has {config.layers} recurrent "
                f"layer{'s' if config.layers > 1 else ''} (1 to {config.layers})."
            )
        for step in (it.where, it.until, it.source) if it.kind in STEP_KINDS else ():
            if step is not None and not 0 <= step < steps:
                raise InterventionError(
                    f"{it}: step {step} is out of range; this review has {steps} steps (0 to {steps - 1}, "
                    f"the start token being step 0)."
                )
        if it.other is not None and config.bidirectional:
            raise InterventionError(
                f"{it}: this run reads both ways, and a backward direction has no state after another text's last "
                f"word; transplant from a step of this review instead (transplant:T=S)."
            )
        if it.kind == "silence" and not 0 <= it.where < units:
            raise InterventionError(
                f"{it}: unit {it.where} is out of range; the layer has {units} units (0 to {units - 1})."
            )


def edits_for(
    interventions: list[Intervention], config, original: xr.Xray | xr.Trace | None = None, others: dict | None = None
) -> xr.Edits:
    """The interventions as :class:`core.serving.xray.StepEdits` per (layer, direction), 0-based.

    ``original`` (the untouched reading: an X-ray or a trace) holds the states a transplant puts in;
    ``others`` the readings of the other texts (by their words) a ``transplant:T="..."`` takes its state from.
    """
    found: dict[tuple[int, int], dict] = {}
    for it in interventions:
        layer = (it.layer or config.layers) - 1
        if it.kind == "silence":
            key = (layer, it.where // config.units)
            found.setdefault(key, {k: [] for k in KINDS})["silence"].append(it.where % config.units)
            continue
        for d in range(2 if config.bidirectional else 1):
            entry = found.setdefault((layer, d), {k: [] for k in KINDS})
            if it.kind == "transplant":
                entry["transplant"].append(_state_after(it, original if it.other is None else others, layer, d))
            else:
                entry[it.kind].extend(it.steps)
    return {
        key: xr.StepEdits(
            frozenset(e["forget"]),
            frozenset(e["ignore"]),
            frozenset(e["freeze"]),
            tuple(sorted(set(e["silence"]))),
            tuple(e["transplant"]),
        )
        for key, e in found.items()
    }


def _state_after(it: Intervention, read, layer: int, direction: int) -> tuple:
    """(step, h, c) for a transplant, to be put after ``it.where``: the untouched state after ``it.source``,
    or the state after the last step of the other text (``read``: the review's reading, or the others' by words)."""
    if read is None or (it.other is not None and it.other not in read):
        raise InterventionError(f"{it}: a transplant needs the states it copies (the review's, or the other text's).")
    state = (read if it.other is None else read[it.other]).layers[layer][direction]
    at = it.source if it.other is None else -1
    return it.where, state.hidden[at], None if state.cell is None else state.cell[at]


@dataclass
class Intervened:
    """The X-ray of one review as the model reads it, and as it reads it under the interventions."""

    original: xr.Xray
    intervened: xr.Xray
    interventions: list[Intervention]
    changed_steps: list[int] | None  # later steps whose contribution to the verdict changed; None: no running verdict

    def to_dict(self, layer: int | None = None) -> dict:
        """``python -m core inspect --intervene ... --json``: today's keys, plus ``intervened``."""
        data = self.original.to_dict(layer)
        after = self.intervened.to_dict(layer)
        data["intervened"] = {
            "interventions": [str(it) for it in self.interventions],
            "probability": after["probability"],
            "steps": after["steps"],
            "prefix_probability": after["prefix_probability"],
            "changed_steps": self.changed_steps,
        }
        return data


def contributions(prefix: list[float]) -> np.ndarray:
    """What each step adds to the running verdict, in log-odds (step 0: its own log-odds)."""
    return np.diff(log_odds(np.asarray(prefix, dtype=np.float64)), prepend=0.0)


def intervene(predictor, text: str, specs: list[str | Intervention]) -> Intervened:
    """The X-ray of ``text`` with and without the interventions ``specs`` (strings are parsed)."""
    interventions = [s if isinstance(s, Intervention) else parse(s) for s in specs]
    if not interventions:
        raise InterventionError("Choose at least one intervention, for example forget:3.")
    original = xr.xray(predictor, text)
    check(interventions, len(original.steps), predictor.config)
    others = {it.other: xr.xray(predictor, it.other) for it in interventions if it.other is not None}
    after = xr.xray(predictor, text, edits_for(interventions, predictor.config, original, others))
    changed = None
    if original.prefix_probability is not None and after.prefix_probability is not None:
        moved = np.abs(contributions(after.prefix_probability) - contributions(original.prefix_probability))
        changed = [int(t) for t in np.flatnonzero(moved > CHANGED)]
    return Intervened(original, after, interventions, changed)
