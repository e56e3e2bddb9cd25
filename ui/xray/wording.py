"""How to read each view of the network's insides, and when a comparison is shaky: the one home of these sentences.

Careful readers of RNN visualisations ask for a "how to read this" line under every view,
for several examples rather than one, and for comparisons only between models of similar
accuracy. Pure: strings only, so every page says it the same way and tests read it here.
"""

from __future__ import annotations

from core.serving.interventions import MAX_OTHER_CHARS

#: One line per internal view, shown under it ("unit_roles" and "interventions": for those views when they land).
HOW_TO_READ = {
    "running_verdict": (
        "How to read this: each point is P(positive) if the review stopped after that word; a jump is what "
        "that word did, given every word before it. The verdict before any telling word is the model's guess "
        "about nothing, not a judgement."
    ),
    "heatmaps": (
        "How to read this: one row per unit, one column per word. Green is high, purple low (states run from "
        "−1 to +1, gates from 0, closed, to 1, open). These are the network's own numbers, not verdicts: a "
        "green unit is not a positive one. Follow one unit below to see what it responds to."
    ),
    "memory_horizon": (
        "How to read this: the model read only the last k words of each of {reviews} validation reviews "
        "(never test reviews; the words before them removed). The line is the share whose verdict stayed the "
        "same as with the whole review; where it crosses {agreement:.0%}, the words further back rarely change "
        "its mind. Reviews of k words or fewer are read whole and count as unchanged."
    ),
    "embedding_map": (
        "How to read this: each dot is a word as the run's embedding layer stores it, flattened to two "
        "dimensions (PCA); words close together are stored alike, and the axes have no meaning of their own."
    ),
    "unit_roles": (
        "How to read this: a unit's effect is how much the verdict moves, on average over validation reviews, "
        "when that unit is silenced; its words are those that drive it up or down the most."
    ),
    "interventions": (
        "How to read this: the grey line (as trained) is the running verdict as the model computed it, the blue "
        "one (with your changes) the same model reading the review again with your changes; only the steps "
        "after a change can differ."
    ),
}

#: The two lines of the intervention chart (its legend), and the metrics' labels.
AS_TRAINED, WITH_CHANGES = "as trained", "with your changes"
#: What each intervention kind of :mod:`core.serving.interventions` is called on the page.
KIND_LABELS = {
    "forget": "forget here",
    "ignore": "ignore this word",
    "freeze": "freeze (carry the memory over this word)",
    "silence": "silence a unit",
    "transplant": "transplant (the memory after another word or text)",
}
#: The same kinds over a span of words (``ignore:3-5``).
SPAN_LABELS = {
    "forget": "forget at each word",
    "ignore": "ignore the words",
    "freeze": "freeze (carry the memory over the words)",
}
#: What each kind does, in one sentence (the kind picker's help).
KIND_HELP = (
    "Forget here: the memory carried into this word is dropped (the word itself still writes). "
    "Ignore this word: the word writes nothing. Freeze: the memory goes over this word unchanged. "
    "Pick a last word too for the same change over a span of words. Silence a unit: one unit held at 0 for the "
    "whole review. Transplant: the memory after this word "
    "is replaced by the memory after another word. All exact, from the stored weights."
)
OTHER_TEXT_HELP = (
    "The model reads this text alone; the memory it has after its last word replaces the memory after the word "
    f"picked. Its first {MAX_OTHER_CHARS} characters, words only (it goes into the link). Not for models that read both ways."
)
CLEARED_FOR_NEW_REVIEW = "The what-if changes were for the previous review; cleared."
NO_RUNNING_VERDICT = (
    "This run reads the review both ways, so there is no running verdict to redraw: compare the final verdicts below."
)


def describe(spec, steps: list[list[str]]) -> str:
    """One intervention in plain words: ``forget here at "wooden but the ending" (step 3)``."""

    def at(step: int) -> str:
        words = " ".join(steps[step]) if 0 <= step < len(steps) else "?"
        return f"“{words}” (step {step})"

    label = KIND_LABELS.get(spec.kind, spec.kind)
    if spec.kind == "silence":
        text = f"silence unit {spec.where}"
    elif spec.kind == "transplant" and spec.other is not None:
        text = f"after {at(spec.where)}, the memory after reading “{spec.other}”"
    elif spec.kind == "transplant":
        text = f"after {at(spec.where)}, the memory after {at(spec.source)}"
        text = f"transplant: {text}"
    elif spec.until is not None:
        text = f"{SPAN_LABELS[spec.kind]} from {at(spec.where)} to {at(spec.until)}"
    else:
        text = f"{label} at {at(spec.where)}"
    return text + (f", layer {spec.layer}" if spec.layer is not None else "")


def changed_words_caption(changed: int, first: int | None) -> str:
    if not changed:
        return "No word's contribution to the verdict changed."
    return f"{changed} word{'s' if changed != 1 else ''} from step {first} on now add something else to the verdict:"


#: Two runs whose validation accuracies differ by more than this make a shaky comparison.
SHAKY_ACCURACY_GAP = 0.05


def memory_horizon_how_to_read(reviews: int, agreement: float) -> str:
    return HOW_TO_READ["memory_horizon"].format(reviews=reviews, agreement=agreement)


def memory_horizon_sentence(result: dict) -> str:
    """The one-sentence answer under the horizon chart (the same experiment as its line)."""
    words, reviews = result["reads_last_words"], result["reviews"]
    if words is None:
        return f"This model needs more than its last {result['last_words'][-1]} words to keep its verdict."
    return (
        f"From its last **{words}** words alone, this model gives the same verdict as from the whole review "
        f"for {result['agreement']:.0%} or more of {reviews} validation reviews."
    )


def shaky_comparison(accuracies: dict[str, float]) -> str | None:
    """A warning when the runs compared differ in validation accuracy by more than :data:`SHAKY_ACCURACY_GAP`."""
    known = {name: a for name, a in accuracies.items() if a == a}  # NaN: not measured
    if len(known) < 2:
        return None
    best, worst = max(known, key=known.get), min(known, key=known.get)
    gap = known[best] - known[worst]
    if gap <= SHAKY_ACCURACY_GAP:
        return None
    return (
        f"A shaky comparison: {best} is {gap:.2f} more accurate on its validation reviews than {worst} "
        f"({known[best]:.3f} against {known[worst]:.3f}). Differences in how they read may come from how well "
        f"each learned, not from how they are built."
    )


def long_review(words: int, maxlen: int, keeps_end: bool) -> str | None:
    """A warning when the review is longer than the model reads (the words beyond ``maxlen`` are cut)."""
    if words <= maxlen:
        return None
    part = "last" if keeps_end else "first"
    return (
        f"This review has {words:,} words and the model reads only its {part} {maxlen}: the views here show "
        f"those words, and the {words - maxlen:,} others never reach the verdict."
    )


def unit_example(unit: int, change: float) -> str:
    """Above a unit's example review (the validation review where silencing it moved the verdict most)."""
    return (
        f"Where unit {unit} mattered most: silencing it moves this validation review's verdict by "
        f"**{change:+.2f}** log-odds."
    )


def unit_roles_source(reviews: int, pooled_steps: bool) -> str:
    """Where the unit roles come from (under their table)."""
    words = (
        " This run's LSTM reads a summary of several words per step, so no single word is named."
        if pooled_steps
        else ""
    )
    return f"Measured on {reviews:,} validation reviews (never test reviews), once per run, then stored.{words}"
