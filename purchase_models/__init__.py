"""Classical models of repeat purchases, shared by customer value and churn.

Pure functions over NumPy arrays, in the style of the `lifetimes` library: a
client's history is (x repeat purchases, t_x the time of the last one, T the
time since the first), all in the model's time unit. Nothing here reads the
store or imports another Vigie package; analytics (customer lifetime value)
and alerts (the churn model's baselines) both build on it
(docs/architecture.md).
"""
