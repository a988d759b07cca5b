"""Inference: exact answers to P / E queries on a world under a policy — by contraction, on mutilated
worlds for do(...), on twin networks for counterfactuals — and the bridge to pgmpy."""
