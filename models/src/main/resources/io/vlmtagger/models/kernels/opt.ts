  # ---- opt.ts: the OPT language model (BLIP-2's language_model.) ----
  # w: 0 model.decoder.embed_tokens [V, E], 1 embed_positions [rows, D], 2-3 final_layer_norm
  #    weight/bias [D] (empty without one), 4 project_in [D, E], 5 project_out [E, D] (empty
  #    without them), 6 lm_head [V, E] (the token embedding when tied); then 12 per layer from
  #    7 + 12 i: self_attn_layer_norm w/b [D], qkv [3D, D] (q_proj rows pre-scaled by hd^-0.5)
  #    and its bias [3D], out_proj [D, D] / [D], final_layer_norm w/b [D], fc1 [F, D] / [F],
  #    fc2 [D, F] / [D] (absent biases are zeros)
  # cfg: 0 layers, 1 heads, 2 do_layer_norm_before, 3 activation (see act), 4 has final norm,
  #      5 has project_in/out
  # fcfg: 0 layer norm eps, 1 mask minimum

  def lm_embed(self: SELF,
    ids: Tensor,
    w: List[Tensor],
    cfg: List[int]) -> Tensor:
    return torch.embedding(w[0], ids)

  def lm_positions(self: SELF,
    mask: Tensor,
    t: int,
    cfg: List[int]) -> Tensor:
    # cumsum(mask) * mask - 1 (padding -> -1), looked up at + 2 by lm_forward
    pos = torch.cumsum(mask, 1) * mask - 1
    return pos.narrow(1, mask.size(1) - t, t)

  def lm_logits(self: SELF,
    x: Tensor,
    w: List[Tensor],
    cfg: List[int]) -> Tensor:
    return torch.linear(x, w[6]).float()

  def lm_forward(self: SELF,
    h: Tensor,
    pos: Tensor,
    attn: Tensor,
    w: List[Tensor],
    cfg: List[int],
    fcfg: List[float],
    kcs: List[Tensor],
    vcs: List[Tensor],
    start: int,
    mode: int) -> Tuple[Tensor, List[Tensor], List[Tensor]]:
    # h [B, T, E], pos [B, T], attn [B, 1, T, start + T] -> hidden [B, T, E]
    x = h
    if cfg[5] == 1:
      x = torch.linear(x, w[4])
    x = x + torch.embedding(w[1], pos + 2)
    nk = annotate(List[Tensor], [])
    nv = annotate(List[Tensor], [])
    for i in range(cfg[0]):
      x, k, v = self.opt_layer(x, attn, w, 7 + 12 * i, cfg, fcfg, kcs[i], vcs[i], start, mode)
      nk.append(k)
      nv.append(v)
    if cfg[4] == 1:
      x = torch.layer_norm(x, [x.size(2)], w[2], w[3], fcfg[0])
    if cfg[5] == 1:
      x = torch.linear(x, w[5])
    return x, nk, nv

  def opt_layer(self: SELF,
    x: Tensor,
    attn: Tensor,
    w: List[Tensor],
    o: int,
    cfg: List[int],
    fcfg: List[float],
    kc: Tensor,
    vc: Tensor,
    start: int,
    mode: int) -> Tuple[Tensor, Tensor, Tensor]:
    # model.decoder.layers.N: x [B, T, D] -> [B, T, D]
    d = x.size(2)
    pre = cfg[2] == 1
    h = x
    if pre:
      h = torch.layer_norm(x, [d], w[o], w[o + 1], fcfg[0])
    qkv = torch.linear(h, w[o + 2], w[o + 3])
    qkv = qkv.view(x.size(0), x.size(1), 3, cfg[1], d // cfg[1]).permute(2, 0, 3, 1, 4)  # [3, B, h, T, hd]
    q, k, v = qkv.unbind(0)
    k, v, kc, vc = self.kv_update(k, v, kc, vc, start, mode)
    a = torch.scaled_dot_product_attention(q, k, v, attn_mask=attn, dropout_p=0.0, is_causal=False, scale=1.0)
    x = x + torch.linear(self.merge(a), w[o + 4], w[o + 5])
    if not pre:
      x = torch.layer_norm(x, [d], w[o], w[o + 1], fcfg[0])
    h = x
    if pre:
      h = torch.layer_norm(x, [d], w[o + 6], w[o + 7], fcfg[0])
    x = x + torch.linear(self.act(torch.linear(h, w[o + 8], w[o + 9]), cfg[3]), w[o + 10], w[o + 11])
    if not pre:
      x = torch.layer_norm(x, [d], w[o + 6], w[o + 7], fcfg[0])
    return x, kc, vc
