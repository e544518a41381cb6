"""The Live wing: a phone streamed to the lecture room (the server's one `rnn_core.phone.hub`).

connect.py    phyphox's address or Sensor Logger's receiver: Connect, Disconnect, the sentences
view.py       the status tiles and the charts, redrawn five times a second while connected
forecast.py   the session's trained IMU model following the live rows (its LiveForecaster)
record.py     Record, Stop, the download and the recording handed to 1 · Data
"""
