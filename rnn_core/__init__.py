"""RNN Explorer's tested core; never imports streamlit. Data (datasets), models (models), training
(training), the runtime that trains beside the page (live), looking inside (analysis), judging
(evaluation), figures (figures), runs kept (runs), sweeps (sweeps), export (export), saved models
(checkpoint), a phone streaming live (phone), devices (devices), names and units shared without
torch (vocabulary, units), how background threads yield the CPU (niceness), and the bounds and
checks of what a person sends (bounds, untrusted)."""
