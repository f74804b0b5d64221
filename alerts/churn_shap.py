"""Exact TreeSHAP values of an XGBoost model by table look-up.

XGBoost's own TreeSHAP (`pred_contribs`) walks every node of every tree for
each client, with a polynomial update per node: about 0.4 ms per client for
300 trees of depth 4, most of the time of scoring a million clients. The
values it computes (path-dependent TreeSHAP, Lundberg et al. 2018) depend on
a client only through the side each split sends them to, so they can be
tabulated once per model:

- For one leaf, the game is f(S) = value x prod(o_j for j in S) x
  prod(z_j for j not in S) over the distinct features j on its path, where
  z_j is the share of the training cover that follows the path at j's
  splits (a feature split twice on a path multiplies its shares) and o_j is
  1 when the client follows the path at all of j's splits, else 0. Its
  Shapley values depend on the client only through which o_j are 1: a few
  bits.
- A tree's leaves are grouped under the nodes at some depth, so that each
  group reads at most MAX_BITS splits (the ones above it and all those
  below); a client's contributions from a group are then one row of a table
  indexed by the bits of those splits (one value per feature the group
  splits on), summed over the leaves of the group.

A client's values are the sum, over the groups of all trees, of one table
row each, added up per feature by a sparse matrix product in scipy. Splits compare
float32 values, missing ones going the split's default way, as XGBoost does;
table entries are float32 (computed in float64) and their sums float64, so
values agree with XGBoost's float32 ones to a few 1e-6.
"""
import json
import math
from itertools import combinations

import numpy as np

# At most 2**MAX_BITS rows per group, each holding one value per distinct
# feature of the group: 8 keeps a tree of depth 4 in two groups, and the
# table of 400 such trees near 7 MB.
MAX_BITS = 8
_GATHER_BYTES = np.uint64(0x0102040810204080)


class UnsupportedTrees(ValueError):
    """A model these tables cannot read (categorical splits, DART weights,
    leaves deeper than MAX_BITS splits): its contributions come from XGBoost
    itself."""


def leaf_shapley(shares, value):
    """(leaves, 2**k, k): for leaves with k distinct path features, each leaf's
    Shapley value of each of them for every mask of the features the client
    does NOT follow (bit j set: the client leaves the path at feature j).

    `shares` (leaves, k) are the z_j, `value` (leaves,) the leaf values.
    """
    count, k = shares.shape
    weights = [math.factorial(c) * math.factorial(k - 1 - c) / math.factorial(k) for c in range(k)]
    table = np.zeros((count, 2 ** k, k))
    for mask in range(2 ** k):
        follows = [not (mask >> j & 1) for j in range(k)]
        for i in range(k):
            others = [j for j in range(k) if j != i]
            total = np.zeros(count)
            # Coalitions of features the client follows: f(C) is 0 otherwise.
            for size in range(k):
                for coalition in combinations(others, size):
                    if all(follows[j] for j in coalition):
                        absent = [j for j in others if j not in coalition]
                        total += weights[size] * np.prod(shares[:, absent], axis=1)
            table[:, mask, i] = value * (float(follows[i]) - shares[:, i]) * total
    return table


def _trees(booster):
    model = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]
    if model.get("name") != "gbtree":
        raise UnsupportedTrees(f"booster {model.get('name')!r}, not gbtree")
    trees = model["model"]["trees"]
    if any(any(t.get("split_type", ())) for t in trees):
        raise UnsupportedTrees("categorical splits")
    return trees


class _Tree:
    def __init__(self, tree):
        self.left, self.right = tree["left_children"], tree["right_children"]
        self.feature, self.condition = tree["split_indices"], tree["split_conditions"]
        self.default_left, self.cover = tree["default_left"], tree["sum_hessian"]

    def is_leaf(self, node):
        return self.left[node] == -1

    def splits_below(self, node):
        if self.is_leaf(node):
            return []
        return [node, *self.splits_below(self.left[node]), *self.splits_below(self.right[node])]

    def groups(self, node=0, above=()):
        """(top node, splits above it) such that each group reads at most MAX_BITS splits."""
        if self.is_leaf(node) or len(above) + len(self.splits_below(node)) <= MAX_BITS:
            return [(node, list(above))]
        return (self.groups(self.left[node], (*above, node))
                + self.groups(self.right[node], (*above, node)))

    def leaves(self, top, above):
        """(leaf value, [(split, went left, share of cover)]) of the leaves under `top`."""
        result, stack = [], [(0, [])]
        while stack:
            node, path = stack.pop()
            if self.is_leaf(node):
                result.append((self.condition[node], path))
                continue
            for child, went_left in ((self.left[node], True), (self.right[node], False)):
                if node in above and child not in (*above, top):
                    continue       # the other side belongs to another group
                stack.append((child, [*path, (node, went_left, self.cover[child] / self.cover[node])]))
        return result


class ShapTables:
    """Exact TreeSHAP values (bias left out) of a gbtree booster over `n_features`."""

    def __init__(self, booster, n_features):
        self.n_features = n_features
        split_feature, threshold, default_left = [], [], []
        groups, leaves = [], []     # leaves: (group, value, [(bit, went left, feature, share)])
        for tree in map(_Tree, _trees(booster)):
            for top, above in tree.groups():
                splits = [*above, *tree.splits_below(top)]
                if len(splits) > MAX_BITS:
                    raise UnsupportedTrees(f"a leaf deeper than {MAX_BITS} splits")
                bit = {node: position for position, node in enumerate(splits)}
                group = len(groups)
                groups.append(list(range(len(split_feature), len(split_feature) + len(splits))))
                for node in splits:
                    split_feature.append(tree.feature[node])
                    threshold.append(tree.condition[node])
                    default_left.append(bool(tree.default_left[node]))
                for value, path in tree.leaves(top, above):
                    leaves.append((group, value, [(bit[n], left, tree.feature[n], share)
                                                  for n, left, share in path]))
        self.bits = MAX_BITS
        # Every group reads MAX_BITS split columns (a code is one byte); short
        # ones pad with the last column, an always-true one no leaf looks at.
        padding = len(split_feature)
        self.columns = np.full((len(groups), self.bits), padding, dtype=np.intp)
        for g, columns in enumerate(groups):
            self.columns[g, :len(columns)] = columns
        self.split_feature = np.array(split_feature, dtype=np.intp)
        self.threshold = np.array(threshold, dtype=np.float32)
        self.default_left = np.array(default_left, dtype=bool)
        # Each group's distinct features, in order, padded with n_features (dropped).
        self.group_features = np.full((len(groups), self.bits), n_features, dtype=np.intp)
        for g, columns in enumerate(groups):
            distinct = list(dict.fromkeys(split_feature[c] for c in columns))
            self.group_features[g, :len(distinct)] = distinct
        self.table = self._table(len(groups), leaves)
        self.offsets = np.arange(len(groups)) * 2 ** self.bits

    def _table(self, group_count, leaves):
        """(groups x 2**bits, bits): per group and code, its leaves' values summed
        per distinct feature of the group (the columns of group_features)."""
        codes = np.arange(2 ** self.bits)
        width = self.bits
        column_of = [{f: j for j, f in enumerate(row)} for row in self.group_features.tolist()]
        flat = np.zeros(group_count * 2 ** self.bits * width)
        by_count = {}
        for leaf in leaves:
            by_count.setdefault(len({f for _, _, f, _ in leaf[2]}), []).append(leaf)
        for k, same in by_count.items():
            if k == 0:
                continue       # a tree that is one leaf: only the bias
            shares, features = np.ones((len(same), k)), np.zeros((len(same), k), dtype=np.intp)
            leaves_out = np.zeros((len(same), 2 ** self.bits), dtype=np.intp)
            for i, (_, _, path) in enumerate(same):
                order = []
                for bit, went_left, feature, share in path:
                    if feature not in order:
                        order.append(feature)
                    j = order.index(feature)
                    shares[i, j] *= share
                    left = ((codes >> bit) & 1).astype(bool)
                    leaves_out[i] |= (left != went_left).astype(np.intp) << j
                features[i] = [column_of[same[i][0]][f] for f in order]
            values = np.array([v for _, v, _ in same], dtype=float)
            group = np.array([g for g, _, _ in same], dtype=np.intp)
            phi = np.take_along_axis(leaf_shapley(shares, values), leaves_out[:, :, None], axis=1)
            index = (group[:, None, None] * 2 ** self.bits + codes[None, :, None]) * width + features[:, None, :]
            flat += np.bincount(index.ravel(), weights=phi.ravel(), minlength=len(flat))
        # float32, as XGBoost's own values: half the memory read per client.
        return flat.reshape(group_count * 2 ** self.bits, width).astype(np.float32)

    def contributions(self, values, chunk=512):
        """(clients, n_features) TreeSHAP values for a (clients, n_features) array."""
        from scipy import sparse
        values = np.asarray(values, dtype=np.float32)
        result = np.zeros((len(values), self.n_features))
        groups = len(self.offsets)
        features = self.group_features.ravel()
        # Sums each group's columns into its features' (the padding's go to a dropped column).
        per_feature = sparse.csr_matrix((np.ones(len(features)), features, np.arange(len(features) + 1)),
                                        shape=(len(features), self.n_features + 1))
        for start in range(0, len(values), chunk):
            block = values[start:start + chunk]
            split_values = block[:, self.split_feature]
            with np.errstate(invalid="ignore"):
                left = np.where(np.isnan(split_values), self.default_left, split_values < self.threshold)
            left = np.concatenate([left, np.ones((len(block), 1), dtype=bool)], axis=1)
            # The 8 bits of each group as the bytes of one uint64; one multiply
            # gathers byte j's low bit at bit 56 + j (no two partial products
            # overlap or carry there).
            bits = np.ascontiguousarray(np.take(left, self.columns, axis=1), dtype=np.uint8)
            code = (bits.view(np.uint64)[:, :, 0] * _GATHER_BYTES) >> np.uint64(56)
            looked_up = self.table[(code.astype(np.intp) + self.offsets).ravel()].reshape(len(block), groups * self.bits)
            result[start:start + len(block)] = (looked_up @ per_feature)[:, :self.n_features]
        return result
