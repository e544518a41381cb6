"""A chart that the browser updates in place: for views redrawn several times a second.

`st.plotly_chart` gives a chart an element id that hashes its figure, so a chart whose data
changed is mounted afresh at every redraw (Plotly's `newPlot`, flicker included). This small
component keeps one Plotly chart per key and hands each new figure to `Plotly.react`, which
redraws only what changed. Plotly.js is the copy the `plotly` package ships, served by Streamlit's
static file serving (`server.enableStaticServing`, `static/plotly.min.js`, copied there on first
use); where it cannot be served, the page draws with `st.plotly_chart` instead and says so in the
server's log. RNN_EXPLORER_LIVE_CHARTS=plotly_chart draws with st.plotly_chart on purpose, for
`python -m bench --live` to compare the two. (No plotly import here: the face builds no figures.)
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
from importlib.util import find_spec
from pathlib import Path

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from rnn_core.figures.style import for_projector, live_json
from ui.session.charts import chart
from ui.session.presenter import presenter_on

LOG = logging.getLogger(__name__)
# RNN_EXPLORER_LIVE_CHARTS=plotly_chart draws them with st.plotly_chart (the benchmark's baseline)
CHARTS_VARIABLE, PLOTLY_CHART = "RNN_EXPLORER_LIVE_CHARTS", "plotly_chart"
STATIC = Path(__file__).resolve().parents[2] / "static"  # served at ./app/static/
PLOTLY_JS = "plotly.min.js"

# Runs each time the chart's data changes, in the same element: Plotly.js is loaded once per
# page, the first figure is plotted, and every later one goes to Plotly.react.
JS = f"""
export default function (component) {{
  const root = component.parentElement.querySelector(".live-chart");
  const figure = JSON.parse(component.data.figure);
  const config = {{displayModeBar: false, responsive: true}};
  const draw = () => {{
    const plotted = root.classList.contains("js-plotly-plot");
    (plotted ? window.Plotly.react : window.Plotly.newPlot)(
      root, figure.data, figure.layout, config);
  }};
  if (window.Plotly) {{ draw(); return; }}
  if (!window.liveChartPlotly) {{
    window.liveChartPlotly = new Promise((resolve, reject) => {{
      const script = document.createElement("script");
      script.src = "./app/static/{PLOTLY_JS}";
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    }});
  }}
  window.liveChartPlotly.then(draw);
}}
"""
_COMPONENT = st.components.v2.component(
    "rnn_explorer_live_chart",
    html='<div class="live-chart"></div>',
    js=JS,
    isolate_styles=False,  # the chart in the page's DOM, as st.plotly_chart's are
)


@functools.cache
def plotly_served() -> bool:
    """Whether Plotly.js is in static/, copied from the plotly package when missing or changed;
    decided once per server process (the charts ask five times a second)."""
    spec = find_spec("plotly")
    if spec is None or spec.origin is None:
        return False
    source = Path(spec.origin).parent / "package_data" / PLOTLY_JS
    target = STATIC / PLOTLY_JS
    try:
        if not target.exists() or target.stat().st_size != source.stat().st_size:
            STATIC.mkdir(exist_ok=True)
            partial = target.with_suffix(f".{os.getpid()}.part")  # never served half written
            shutil.copyfile(source, partial)
            os.replace(partial, target)
    except OSError as e:
        LOG.warning("Live charts drawn with st.plotly_chart: %s cannot be served (%s)", target, e)
        return False
    return True


def live_chart(fig, key: str, container: DeltaGenerator | None = None) -> None:
    """Draw a figure from `rnn_core` that is redrawn often, updated in place by the browser (in
    the projector style in presenter mode); `st.plotly_chart` where Plotly.js is not served."""
    if os.environ.get(CHARTS_VARIABLE) == PLOTLY_CHART or not plotly_served():
        chart(fig, key, container)
        return
    shown = for_projector(fig) if presenter_on() else fig
    height = int(shown.layout.height or 450)
    data = {"figure": live_json(shown)}
    if container is None:
        _COMPONENT(key=key, data=data, height=height)
    else:
        with container:
            _COMPONENT(key=key, data=data, height=height)
