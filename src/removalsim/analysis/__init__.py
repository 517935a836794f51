"""Analyses built on the engine: Monte Carlo bands, sensitivity, sweeps, goal, backtest."""
