  # ---- idefics.ts: IDEFICS' text stack: Llama layers (llama.ts) with a Flamingo gated
  # cross-attention block in front of every cross_layer_interval-th one ----
  # w: 0 model.norm [H], 1 rotary inverse frequencies float32 [hd / 2]; then 8 per Llama layer
  #    from 2 + 8 i (llama.ts's llama_layer); then 12 per gated block from 2 + 8 L + 12 j:
  #    input_layernorm [H], cross_attn.q_proj [H, H], o_proj [H, H], q_layer_norm [hd] (ones when
  #    the model has none), k_proj [H, Dv], v_proj [H, Dv], k_layer_norm [hd] (ones when none),
  #    post_attention_layernorm [H], mlp gate_up [2F, H] (gate; up rows), down [H, F],
  #    tanh(alpha_cross_attn), tanh(alpha_dense) (each [1] or [1, 1, H])
  # cfg: 0 layers, 1 heads, 2 kv heads, 3 activation, 4 cross_layer_interval, 5 q/k norms (0/1)
  # fcfg: 0 rms_norm_eps, 1 mask minimum

  def idefics_image_kv(self: SELF,
    image: Tensor,
    w: List[Tensor],
    cfg: List[int],
    fcfg: List[float]) -> Tuple[List[Tensor], List[Tensor]]:
    # image states [B, S, Dv] -> every gated block's keys and values [B, h, S, hd] (keys normed):
    # a function of the images only, computed once per request
    ks = annotate(List[Tensor], [])
    vs = annotate(List[Tensor], [])
    blocks = (cfg[0] + cfg[4] - 1) // cfg[4]
    for j in range(blocks):
      o = 2 + 8 * cfg[0] + 12 * j
      k = self.heads(torch.linear(image, w[o + 4]), cfg[1])
      if cfg[5] == 1:
        k = torch.rms_norm(k, [k.size(3)], w[o + 6], fcfg[0])
      ks.append(k)
      vs.append(self.heads(torch.linear(image, w[o + 5]), cfg[1]))
    return ks, vs

  def idefics_xattn(self: SELF,
    x: Tensor,
    w: List[Tensor],
    o: int,
    cfg: List[int],
    fcfg: List[float],
    k: Tensor,
    v: Tensor,
    image_mask: Tensor,
    attends: Tensor) -> Tensor:
    # the cross-attention sub-layer (after o_proj, zeroed for positions that attend no image)
    q = self.heads(torch.linear(torch.rms_norm(x, [x.size(2)], w[o], fcfg[0]), w[o + 1]), cfg[1])
    if cfg[5] == 1:
      q = torch.rms_norm(q, [q.size(3)], w[o + 3], fcfg[0])
    a = torch.scaled_dot_product_attention(q, k, v, attn_mask=image_mask, dropout_p=0.0, is_causal=False)
    return torch.linear(self.merge(a), w[o + 2]) * attends

  def idefics_forward(self: SELF,
    h: Tensor,
    mask: Tensor,
    w: List[Tensor],
    cfg: List[int],
    fcfg: List[float],
    kcs: List[Tensor],
    vcs: List[Tensor],
    mode: int,
    image_k: List[Tensor],
    image_v: List[Tensor],
    image_mask: Tensor,
    attends: Tensor,
    probe: bool) -> Tuple[Tensor, List[Tensor], List[Tensor], List[Tensor]]:
    # h [B, T, H] new positions after the cached ones, mask [B, start + T] int64,
    # image_mask [B, 1, T, S] additive, attends [B, T, 1] -> (final-norm hidden [B, T, H], caches,
    # probes: per layer its input, and before a gated block's layer the block's cross-attention
    # and output, when probe)
    t = h.size(1)
    start = mask.size(1) - t
    cos, sin = self.rotary(self.lm_positions(mask, t, cfg), w[1], h)
    attn = self.causal_mask(mask, t, h, fcfg[1])
    x = h
    nk = annotate(List[Tensor], [])
    nv = annotate(List[Tensor], [])
    probes = annotate(List[Tensor], [])
    for i in range(cfg[0]):
      if probe:
        probes.append(x)
      if i % cfg[4] == 0:
        j = i // cfg[4]
        o = 2 + 8 * cfg[0] + 12 * j
        a = self.idefics_xattn(x, w, o, cfg, fcfg, image_k[j], image_v[j], image_mask, attends)
        x = x + a * w[o + 10]
        gate, up = torch.linear(torch.rms_norm(x, [x.size(2)], w[o + 7], fcfg[0]), w[o + 8]).chunk(2, 2)
        x = x + torch.linear(self.act(gate, cfg[3]) * up, w[o + 9]) * w[o + 11]
        if probe:
          probes.append(a)
          probes.append(x)
      x, k, v = self.llama_layer(x, cos, sin, attn, w, 2 + 8 * i, cfg, fcfg, kcs[i], vcs[i], start, mode)
      nk.append(k)
      nv.append(v)
    return torch.rms_norm(x, [x.size(2)], w[0], fcfg[0]), nk, nv, probes
