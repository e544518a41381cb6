"""Pure figure builders: data in, plotly Figure out. Curves and forecasts (curves), inside the
cell (inside, stacked), stored runs and sweeps (runs, sweeps, panels), the IMU lab (imu, attitude,
angles, verdicts), any series on the Data page (series_data) and its forecast (series), the
live phone (phone), and the shared look (axes, colors, style)."""
