"""Pure figure builders: data in, plotly Figure out. Curves and forecasts (curves), inside the
cell (inside, stacked), stored runs and sweeps (runs, sweeps, panels), the IMU lab (imu, attitude,
angles, verdicts), a time series on the Data page (series_data), and the shared look (axes, colors, style)."""
