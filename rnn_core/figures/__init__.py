"""Pure figure builders: data in, plotly Figure out. Curves and forecasts (curves), inside the
cell (inside, stacked), the IMU lab (imu, attitude), and the shared look (axes, colors, style)."""
