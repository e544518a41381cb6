"""Text lab: sample from a character model, find the units that track a property, read them."""

import streamlit as st

from rnn_core.analysis.predict import sample_stream
from rnn_core.analysis.textlab import (
    PROPERTIES,
    activations_for_text,
    colored_text_html,
    next_char_probabilities,
    printable,
    rank_units,
)
from rnn_core.figures.curves import probability_figure
from ui.inspect.common import active_preset_tab, snapshot_picker, trained_experiment
from ui.lecture.presets import preset_banner
from ui.session.charts import chart
from ui.session.plain import as_text
from ui.session.presenter import presenter_on
from ui.session.settings import shortened

GATES = ("i", "f", "g", "o", "r", "z", "n")


def sample_view(model, vocabulary, default_prompt: str) -> None:
    """Prompt, length, temperature (or greedy), top-k and seed; the sample appears as it grows."""
    prompt = st.text_input("Prompt", default_prompt, key="text.prompt")
    unknown = sorted(set(prompt) - set(vocabulary.chars))
    if unknown:
        st.warning(
            as_text(f"Not in this model's vocabulary, skipped: {shortened(''.join(unknown))!r}")
        )
    c1, c2, c3, c4 = st.columns(4)
    length = c1.slider("Length", 20, 2000, 300, key="text.length")
    greedy = c2.checkbox("Greedy (always the most likely)", key="text.greedy")
    temperature = c2.slider(
        "Temperature", 0.1, 2.0, 1.0, 0.1, key="text.temperature", disabled=greedy
    )
    top_k = c3.number_input("Top-k (0: all)", 0, vocabulary.size, 0, key="text.top_k")
    seed = c4.number_input("Seed", 0, 2**31 - 1, 0, key="text.seed")
    if st.button("Generate", type="primary", key="text.generate"):
        out, text = st.empty(), ""
        stream = sample_stream(
            model,
            vocabulary,
            prompt,
            length,
            0.0 if greedy else temperature,
            int(seed),
            int(top_k) or None,
        )
        for index, char in enumerate(stream, start=1):
            text += char
            if index % 25 == 0 or index == length:
                out.code(prompt + "⟫" + text, language=None, wrap_lines=True)
        st.session_state["text.sample"] = text
    st.caption(
        "⟫ marks where the prompt ends. Low temperature repeats the likeliest patterns; "
        "high temperature takes more chances."
    )


def cells_view(model, vocabulary, excerpt: str, layer: int) -> None:
    """Rank units by correlation with a property, then colour the text by the chosen one."""
    c1, c2 = st.columns(2)
    prop = c1.selectbox("Property", list(PROPERTIES), key="text.property")
    activations = activations_for_text(model, vocabulary, excerpt, layer)
    matches = rank_units(activations, PROPERTIES[prop](excerpt), top=10)
    # in presenter mode the coloured text (the point) before the ranking table
    ranking, colored = st.container(), st.container()
    if presenter_on():
        ranking, colored = colored, ranking
    ranking.dataframe(
        [{"quantity": m.quantity, "unit": m.unit, "r": round(m.correlation, 4)} for m in matches],
        hide_index=True,
        key="text.matches",
    )
    labels = [f"{m.quantity}[{m.unit}]  r = {m.correlation:+.3f}" for m in matches]
    chosen = matches[labels.index(c2.selectbox("Colour the text by", labels, key="text.unit"))]
    values = activations[chosen.quantity][:, chosen.unit]  # (T,)
    gate = chosen.quantity in GATES
    colored.container(key="text-colored").html(
        colored_text_html(excerpt, values, vmin=0.0 if gate else None, vmax=1.0 if gate else None)
    )
    st.caption(
        f"Each character is coloured by {chosen.quantity}[{chosen.unit}] after reading it "
        "(blue negative, red positive; gates from 0 to 1). The table ranks every unit of this "
        f"layer by Pearson's r with “{prop}” over this excerpt of the validation text."
    )


def next_char_view(model, vocabulary, excerpt: str) -> None:
    """The model's distribution for the character after a chosen position."""
    position = st.slider(
        "Position in the excerpt",
        0,
        len(excerpt) - 2,
        min(40, len(excerpt) - 2),
        key="text.position",
    )
    frame = next_char_probabilities(model, vocabulary, excerpt, position, top=10)
    context = excerpt[max(0, position - 29) : position + 1].replace("\n", "⏎")
    actual = printable(excerpt[position + 1])
    chart(probability_figure(frame, context, actual), key="text.next")
    st.caption(
        as_text(f"The character that really follows: {excerpt[position + 1]!r}")
        + ", its bar in orange "
        "when it is among the ten. The title shows the last characters before the position."
    )


st.title("5 · Text lab")
preset_banner()
exp = trained_experiment()
if exp is None:
    st.stop()
if exp.data.vocabulary is None:
    st.info("The Text lab needs a character model: choose **Text** on 1 · Data, then train.")
    st.page_link("app_pages/data.py", label="Go to 1 · Data", icon=":material/dataset:")
    st.stop()

# in presenter mode the tabs come first, the weights, excerpt and layer folded under them
views = st.container()
settings = st.expander("Weights, excerpt and layer") if presenter_on() else views
with settings:
    model, step = snapshot_picker(exp, key="text.snapshot")
vocabulary = exp.data.vocabulary
validation = vocabulary.decode(exp.data.validation.inputs[0].tolist())
c1, c2 = settings.columns(2)
size = c1.slider(
    "Excerpt of the validation text (characters)",
    200,
    min(4000, len(validation)),
    min(1500, len(validation)),
    100,
    key="text.excerpt",
)
layer = c2.selectbox(
    "Layer",
    list(range(model.config.num_layers)),
    key="text.layer",
    format_func=lambda k: f"layer {k + 1}",
)
excerpt = validation[:size]

sample_tab, cells_tab, next_tab = views.tabs(
    ["Sample", "Read the cells", "Next character"], default=active_preset_tab()
)
with sample_tab:
    sample_view(model, vocabulary, validation[:20])
with cells_tab:
    cells_view(model, vocabulary, excerpt, layer)
with next_tab:
    next_char_view(model, vocabulary, excerpt)
