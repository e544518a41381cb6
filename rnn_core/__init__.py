"""RNN Explorer's tested core: data, models, training, tracing, figures. Never imports streamlit."""
