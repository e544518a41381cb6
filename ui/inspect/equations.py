"""One step of a cell written out: PyTorch's equations, then the numbers of the chosen units."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from rnn_core.analysis.inspect import StepNumbers

EQUATIONS = {
    "lstm": r"""\begin{aligned}
i_t &= \sigma(a_i),\; a_i = W_{ii}x_t + b_{ii} + W_{hi}h_{t-1} + b_{hi} &
f_t &= \sigma(a_f) & g_t &= \tanh(a_g) & o_t &= \sigma(a_o) \\
c_t &= f_t \odot c_{t-1} + i_t \odot g_t & h_t &= o_t \odot \tanh(c_t)
\end{aligned}""",
    "gru": r"""\begin{aligned}
r_t &= \sigma(a_r) & z_t &= \sigma(a_z) \\
n_t &= \tanh\big(\underbrace{W_{in}x_t + b_{in}}_{a_n^{x}} + r_t \odot
      (\underbrace{W_{hn}h_{t-1} + b_{hn}}_{a_n^{h}})\big) &
h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1}
\end{aligned}""",
    "rnn": r"h_t = \phi(a),\quad a = W_{ih}x_t + b_{ih} + W_{hh}h_{t-1} + b_{hh}",
}


def worked_unit(numbers: StepNumbers, position: int) -> str:
    """LaTeX of one unit's step with its numbers substituted."""
    v = {name: float(values[position]) for name, values in numbers.values.items()}
    u, t = numbers.units[position], numbers.t
    if numbers.cell == "lstm":
        return (
            rf"\text{{unit {u}, }} t={t}:\; f_t = \sigma({v['a_f']:.4f}) = {v['f']:.4f},\;"
            rf"i_t = {v['i']:.4f},\; g_t = {v['g']:.4f},\; o_t = {v['o']:.4f}\\"
            rf"c_t = {v['f']:.4f}\times{v['c_prev']:.4f} + {v['i']:.4f}\times{v['g']:.4f}"
            rf" = {v['c']:.4f},\quad h_t = {v['o']:.4f}\times\tanh({v['c']:.4f}) = {v['h']:.4f}"
        )
    if numbers.cell == "gru":
        return (
            rf"\text{{unit {u}, }} t={t}:\; r_t = \sigma({v['a_r']:.4f}) = {v['r']:.4f},\;"
            rf"z_t = \sigma({v['a_z']:.4f}) = {v['z']:.4f}\\"
            rf"n_t = \tanh({v['a_n_input']:.4f} + {v['r']:.4f}\times{v['a_n_hidden']:.4f})"
            rf" = {v['n']:.4f},\quad h_t = (1-{v['z']:.4f})\times{v['n']:.4f}"
            rf" + {v['z']:.4f}\times{v['h_prev']:.4f} = {v['h']:.4f}"
        )
    phi = r"\tanh" if numbers.nonlinearity == "tanh" else r"\mathrm{relu}"
    return rf"\text{{unit {u}, }} t={t}:\; h_t = {phi}({v['a']:.4f}) = {v['h']:.4f}"


def show_step(numbers: StepNumbers) -> None:
    """The cell's equations, one unit worked through, and a table of every chosen unit."""
    st.latex(EQUATIONS[numbers.cell])
    if not numbers.units:
        st.caption("Choose some units to see their numbers.")
        return
    st.latex(worked_unit(numbers, 0))
    table = pd.DataFrame({name: values for name, values in numbers.values.items()})
    table.insert(0, "unit", list(numbers.units))
    st.dataframe(table, hide_index=True, key="inside.step_table")
    state = "h and c" if numbers.cell == "lstm" else "h"  # only an LSTM has a cell state c
    st.caption(
        f"Step t = {numbers.t} of the forward direction; {state} at t − 1 "
        f"{'are' if numbers.cell == 'lstm' else 'is'} zero at t = 0. "
        "Every number comes from the model's own weights and matches PyTorch's forward pass."
    )
