"""Analysis: optimal policies, the planner and its flags, and the exact regions where each holds."""
