  # ---- generate.ts: forward passes and greedy generation of a language model ----
  # Each decoder source (opt.ts, llama.ts) defines these methods with the same signatures, so
  # that the ones here work for each:
  #   lm_embed(ids [B, T] int64, w, cfg) -> [B, T, E]
  #   lm_positions(mask [B, S] int64, t, cfg) -> [B, t] positions of the last t columns
  #   lm_forward(h [B, T, E], pos [B, T], attn [B, 1, T, start + T] additive, w, cfg, fcfg,
  #              kcs, vcs, start, mode) -> (hidden [B, T, E], new kcs, new vcs)
  #   lm_logits(hidden [B, E]) -> float32 [B, V]
  # (cache modes: see common.ts)

  def lm_run(self: SELF,
    h: Tensor,
    mask: Tensor,
    w: List[Tensor],
    cfg: List[int],
    fcfg: List[float],
    kcs: List[Tensor],
    vcs: List[Tensor],
    mode: int) -> Tuple[Tensor, List[Tensor], List[Tensor]]:
    # h [B, T, E] new positions after the cached ones; mask [B, start + T] int64
    # -> (final hidden states [B, T, E], caches): positions and the causal mask from the mask
    t = h.size(1)
    pos = self.lm_positions(mask, t, cfg)
    attn = self.causal_mask(mask, t, h, fcfg[1])
    return self.lm_forward(h, pos, attn, w, cfg, fcfg, kcs, vcs, mask.size(1) - t, mode)

  def forward_last(self: SELF,
    h: Tensor,
    mask: Tensor,
    w: List[Tensor],
    cfg: List[int],
    fcfg: List[float],
    kcs: List[Tensor],
    vcs: List[Tensor],
    mode: int) -> Tuple[Tensor, List[Tensor], List[Tensor]]:
    # -> (float32 logits of the last position [B, V], caches)
    x, nk, nv = self.lm_run(h, mask, w, cfg, fcfg, kcs, vcs, mode)
    return self.lm_logits(x.select(1, x.size(1) - 1), w, cfg), nk, nv

  def forward_all(self: SELF,
    h: Tensor,
    mask: Tensor,
    w: List[Tensor],
    cfg: List[int],
    fcfg: List[float],
    kcs: List[Tensor],
    vcs: List[Tensor],
    mode: int) -> Tuple[Tensor, List[Tensor], List[Tensor]]:
    # every position: float32 logits [B, T, V]
    x, nk, nv = self.lm_run(h, mask, w, cfg, fcfg, kcs, vcs, mode)
    return self.lm_logits(x, w, cfg), nk, nv

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
      logits = logits.index_fill_(1, eos, float("-inf"))
    nxt = torch.max(logits, 1)[1]  # the first maximal index, as argmax (and ~3x faster on the CPU)
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
    x, nk, nv = self.lm_run(h, mask, w, cfg, fcfg, kcs, vcs, 2)
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
