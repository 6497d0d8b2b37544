  # ---- common.ts: activations, masks, attention helpers, generation (shared by every model) ----
  # Decoder methods every language-model source (opt.ts, llama.ts) defines with the same
  # signatures, so that the generation methods here work for each:
  #   lm_embed(ids [B, T] int64, w, cfg) -> [B, T, E]
  #   lm_positions(mask [B, S] int64, t, cfg) -> [B, t] positions of the last t columns
  #   lm_forward(h [B, T, E], pos [B, T], attn [B, 1, T, start + T] additive, w, cfg, fcfg,
  #              kcs, vcs, start, mode) -> (hidden [B, T, E], new kcs, new vcs)
  #   lm_logits(hidden [B, E]) -> float32 [B, V]
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

  def forward_last(self: SELF,
    h: Tensor,
    mask: Tensor,
    w: List[Tensor],
    cfg: List[int],
    fcfg: List[float],
    kcs: List[Tensor],
    vcs: List[Tensor],
    mode: int) -> Tuple[Tensor, List[Tensor], List[Tensor]]:
    # h [B, T, E] new positions after the cached ones; mask [B, start + T] int64
    # -> (float32 logits of the last position [B, V], caches)
    t = h.size(1)
    start = mask.size(1) - t
    pos = self.lm_positions(mask, t, cfg)
    attn = self.causal_mask(mask, t, h, fcfg[1])
    x, nk, nv = self.lm_forward(h, pos, attn, w, cfg, fcfg, kcs, vcs, start, mode)
    return self.lm_logits(x.select(1, t - 1), w, cfg), nk, nv

  def forward_all(self: SELF,
    h: Tensor,
    mask: Tensor,
    w: List[Tensor],
    cfg: List[int],
    fcfg: List[float],
    kcs: List[Tensor],
    vcs: List[Tensor],
    mode: int,
    logits: bool) -> Tuple[Tensor, List[Tensor], List[Tensor]]:
    # like forward_last, every position: float32 logits [B, T, V], or hidden states [B, T, E]
    t = h.size(1)
    start = mask.size(1) - t
    pos = self.lm_positions(mask, t, cfg)
    attn = self.causal_mask(mask, t, h, fcfg[1])
    x, nk, nv = self.lm_forward(h, pos, attn, w, cfg, fcfg, kcs, vcs, start, mode)
    if logits:
      x = self.lm_logits(x, w, cfg)
    return x, nk, nv

  def pick(self: SELF,
    logits: Tensor,
    step: int,
    gen: Tensor,
    finished: Tensor,
    seen: Tensor,
    rep: float,
    min_new: int,
    eos: Tensor,
    pad: int) -> Tensor:
    # greedy choice with transformers' processors, on the device: logits float32 [B, V]
    # -> ids [B, 1]; writes gen[:, step], marks rows that chose an eos id in finished [B] bool,
    # and (repetition penalty) the chosen ids in seen [B, V] bool
    if rep != 1.0:
      logits = torch.where(seen, torch.where(logits < 0, logits * rep, logits / rep), logits)
    if step < min_new:
      logits = logits.index_fill(1, eos, float("-inf"))
    nxt = torch.argmax(logits, 1)
    nxt = torch.where(finished, torch.full_like(nxt, pad), nxt)
    gen.select(1, step).copy_(nxt)
    finished.logical_or_(torch.isin(nxt, eos))
    if rep != 1.0:
      seen.scatter_(1, nxt.view(-1, 1), True)
    return nxt.view(-1, 1)

  def greedy_prefill(self: SELF,
    h: Tensor,
    mask: Tensor,
    w: List[Tensor],
    cfg: List[int],
    fcfg: List[float],
    kcs: List[Tensor],
    vcs: List[Tensor],
    gen: Tensor,
    finished: Tensor,
    seen: Tensor,
    rep: float,
    min_new: int,
    eos: Tensor,
    pad: int) -> Tuple[Tensor, Tensor, Tensor]:
    # h [B, P, E] prompt embeddings, mask [B, P] int64, static caches [B, kvh, L, hd]
    # -> (first ids [B, 1], additive key mask [B, 1, 1, L] for the steps, position base [B, 1])
    b = h.size(0)
    t = h.size(1)
    total = kcs[0].size(2)
    pos = self.lm_positions(mask, t, cfg)
    attn = self.causal_mask(mask, t, h, fcfg[1])
    x, nk, nv = self.lm_forward(h, pos, attn, w, cfg, fcfg, kcs, vcs, 0, 2)
    logits = self.lm_logits(x.select(1, t - 1), w, cfg)
    nxt = self.pick(logits, 0, gen, finished, seen, rep, min_new, eos, pad)
    full = torch.cat([mask, torch.ones([b, total - t], dtype=mask.dtype, device=mask.device)], 1)
    keys = self.padding_mask(full, h, fcfg[1])
    return nxt, keys, mask.sum(1, keepdim=True)

  def greedy_step(self: SELF,
    ids: Tensor,
    step: int,
    plen: int,
    keys: Tensor,
    pos_base: Tensor,
    w: List[Tensor],
    cfg: List[int],
    fcfg: List[float],
    kcs: List[Tensor],
    vcs: List[Tensor],
    gen: Tensor,
    finished: Tensor,
    seen: Tensor,
    rep: float,
    min_new: int,
    eos: Tensor,
    pad: int) -> Tensor:
    # feeds ids [B, 1] chosen at step - 1 at column plen + step - 1 of the static caches
    # (plen = prompt columns) -> ids [B, 1] for this step
    start = plen + step - 1
    h = self.lm_embed(ids, w, cfg)
    x, nk, nv = self.lm_forward(h, pos_base + (step - 1), keys.narrow(3, 0, start + 1), w, cfg, fcfg,
        kcs, vcs, start, 2)
    logits = self.lm_logits(x.select(1, 0), w, cfg)
    return self.pick(logits, step, gen, finished, seen, rep, min_new, eos, pad)
