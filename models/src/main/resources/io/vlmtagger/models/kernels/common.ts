  # ---- common.ts: activations, masks, attention helpers and the KV cache (every model) ----
  # Caches (mode): 0 none (kcs/vcs hold empty tensors); 1 growing: the layer's cache is
  # concatenated with the new keys/values and returned; 2 static: preallocated [B, kvh, L, hd]
  # caches written in place at columns [start, start + T) and attended over [0, start + T).

  def act(self: SELF,
    x: Tensor,
    kind: int) -> Tensor:
    # 0 gelu (erf), 1 gelu (tanh approximation), 2 quick_gelu, 3 relu, 4 silu
    if kind == 0:
      return torch.gelu(x)
    if kind == 1:
      return torch.gelu(x, approximate="tanh")
    if kind == 2:
      return x * torch.sigmoid(x * 1.702)
    if kind == 3:
      return torch.relu(x)
    return torch.silu(x)

  def causal_mask(self: SELF,
    mask: Tensor,
    t: int,
    like: Tensor,
    min_value: float) -> Tensor:
    # mask [B, S] int64 (1 = real, 0 = padding), the last t columns are the queries
    # -> additive [B, 1, t, S] in like's dtype: 0 where query i may see key j (j <= i and j real),
    # min_value elsewhere. A query always sees itself, so that a padding row is never fully
    # masked (its output is never read; a fully masked row would be NaN in fused attention).
    b = mask.size(0)
    s = mask.size(1)
    keys = torch.arange(s, device=mask.device).view(1, s)
    queries = torch.arange(s - t, s, device=mask.device).view(t, 1)
    allowed = torch.le(keys, queries).view(1, 1, t, s) & torch.eq(mask, 1).view(b, 1, 1, s)
    allowed = allowed | torch.eq(keys, queries).view(1, 1, t, s)
    zeros = torch.zeros([b, 1, t, s], dtype=like.dtype, device=mask.device)
    return zeros.masked_fill(torch.logical_not(allowed), min_value)

  def padding_mask(self: SELF,
    mask: Tensor,
    like: Tensor,
    min_value: float) -> Tensor:
    # mask [B, S] int64 -> additive [B, 1, 1, S]: keys that are padding are hidden
    b = mask.size(0)
    s = mask.size(1)
    zeros = torch.zeros([b, 1, 1, s], dtype=like.dtype, device=mask.device)
    return zeros.masked_fill(torch.eq(mask, 0).view(b, 1, 1, s), min_value)

  def heads(self: SELF,
    x: Tensor,
    n: int) -> Tensor:
    # [B, T, n * hd] -> [B, n, T, hd]
    return x.view(x.size(0), x.size(1), n, x.size(2) // n).transpose(1, 2)

  def merge(self: SELF,
    x: Tensor) -> Tensor:
    # [B, n, T, hd] -> [B, T, n * hd]
    return x.transpose(1, 2).reshape(x.size(0), x.size(2), x.size(1) * x.size(3))

  def kv_update(self: SELF,
    k: Tensor,
    v: Tensor,
    kc: Tensor,
    vc: Tensor,
    start: int,
    mode: int) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    # k, v [B, kvh, T, hd] -> (keys and values to attend to, the layer's cache after this call)
    if mode == 0:
      return k, v, kc, vc
    if mode == 1:
      if kc.numel() > 0:
        k = torch.cat([kc, k], 2)
        v = torch.cat([vc, v], 2)
      else:
        k = k.contiguous()
        v = v.contiguous()
      return k, v, k, v
    t = k.size(2)
    kc.narrow(2, start, t).copy_(k)
    vc.narrow(2, start, t).copy_(v)
    return kc.narrow(2, 0, start + t), vc.narrow(2, 0, start + t), kc, vc

