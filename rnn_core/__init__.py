"""RNN Explorer's tested core; never imports streamlit. Data (datasets), models (models), training
(training), the runtime that trains beside the page (live), looking inside (analysis), judging
(evaluation), figures (figures), runs kept (runs), sweeps (sweeps), export (export), saved models
(checkpoint), devices (devices), names and units shared without torch (vocabulary, units), the
bounds and checks of what a person sends (bounds, untrusted), and a phone's IMU live (phone)."""
