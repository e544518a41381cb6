"""Phones simulated for the tests: Sensor Logger pushing a real recording (sensor_logger_sim)."""
