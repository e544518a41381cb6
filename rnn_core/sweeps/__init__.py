"""Sweeps: up to two knobs over typed values times seeds (spec), the mean and spread over seeds
(aggregate, seeds), and where they train: this machine's queue (local) or a Ray cluster
(ray_sweep, through a driver process of its own: ray_connection, ray_driver), Ray imported only
when a sweep goes there."""
