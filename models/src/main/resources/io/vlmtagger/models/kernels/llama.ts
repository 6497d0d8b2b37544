  # ---- llama.ts: the Llama language model (LLaVA's language_model., IDEFICS' text layers) ----
  # w: 0 model.embed_tokens [V, H], 1 model.norm [H], 2 lm_head [V, H] (the token embedding when
  #    tied), 3 rotary inverse frequencies float32 [hd / 2]; then 8 per layer from 4 + 8 i:
  #    input_layernorm [H], qkv [(h + 2 kvh) hd, H] (q_proj; k_proj; v_proj rows), its bias (zeros
  #    without attention_bias), o_proj [H, h hd], its bias, post_attention_layernorm [H],
  #    gate_up [2F, H] (gate_proj; up_proj rows), down_proj [H, F]
  # cfg: 0 layers, 1 heads, 2 kv heads, 3 activation (see act)
  # fcfg: 0 rms_norm_eps, 1 mask minimum

  def lm_embed(self: SELF,
    ids: Tensor,
    w: List[Tensor],
    cfg: List[int]) -> Tensor:
    return torch.embedding(w[0], ids)

  def lm_positions(self: SELF,
    mask: Tensor,
    t: int,
    cfg: List[int]) -> Tensor:
    # cumsum(mask) - 1, with 1 at padding (transformers' Llama / LLaVA position ids)
    pos = (torch.cumsum(mask, 1) - 1).masked_fill(torch.eq(mask, 0), 1)
    return pos.narrow(1, mask.size(1) - t, t)

  def lm_logits(self: SELF,
    x: Tensor,
    w: List[Tensor],
    cfg: List[int]) -> Tensor:
    return torch.linear(x, w[2]).float()

  def rms(self: SELF,
    x: Tensor,
    weight: Tensor,
    eps: float) -> Tensor:
    # transformers' LlamaRMSNorm: x * rsqrt(mean(x^2) + eps) in float32, cast back, times weight
    return torch.rms_norm(x, [x.size(-1)], weight, eps)

  def rotary(self: SELF,
    pos: Tensor,
    inv_freq: Tensor,
    like: Tensor) -> Tuple[Tensor, Tensor]:
    # pos [B, T] -> cos, sin [B, T, 1, hd] in like's dtype (angles in float32), for [B, T, heads, hd]
    freqs = pos.float().unsqueeze(2) * inv_freq.view(1, 1, -1)
    emb = torch.cat([freqs, freqs], 2).unsqueeze(2)
    return emb.cos().to(like.dtype), emb.sin().to(like.dtype)

  def rotate(self: SELF,
    x: Tensor,
    cos: Tensor,
    sin: Tensor) -> Tensor:
    # x [B, T, heads, hd] * cos + rotate_half(x) * sin, rotate_half([x1, x2]) = [-x2, x1]
    x1, x2 = x.chunk(2, 3)
    return x * cos + torch.cat([torch.neg(x2), x1], 3) * sin

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
    # h [B, T, H], pos [B, T], attn [B, 1, T, start + T] -> final-norm hidden [B, T, H]
    cos, sin = self.rotary(pos, w[3], h)
    x = h
    nk = annotate(List[Tensor], [])
    nv = annotate(List[Tensor], [])
    for i in range(cfg[0]):
      x, k, v = self.llama_layer(x, cos, sin, attn, w, 4 + 8 * i, cfg, fcfg, kcs[i], vcs[i], start, mode)
      nk.append(k)
      nv.append(v)
    return self.rms(x, w[1], fcfg[0]), nk, nv

  def llama_layer(self: SELF,
    x: Tensor,
    cos: Tensor,
    sin: Tensor,
    attn: Tensor,
    w: List[Tensor],
    o: int,
    cfg: List[int],
    fcfg: List[float],
    kc: Tensor,
    vc: Tensor,
    start: int,
    mode: int) -> Tuple[Tensor, Tensor, Tensor]:
    # model.layers.N: x [B, T, H] -> x + attn(rms1(x)), then + mlp(rms2(.))
    b = x.size(0)
    t = x.size(1)
    nh = cfg[1]
    kvh = cfg[2]
    qkv = torch.linear(self.rms(x, w[o], fcfg[0]), w[o + 1], w[o + 2])
    qkv = qkv.view(b, t, nh + 2 * kvh, qkv.size(2) // (nh + 2 * kvh))  # [B, T, h + 2 kvh, hd]
    qk = self.rotate(qkv.narrow(2, 0, nh + kvh), cos, sin)  # q and k heads rotated together
    q = qk.narrow(2, 0, nh).transpose(1, 2)
    k = qk.narrow(2, nh, kvh).transpose(1, 2)
    v = qkv.narrow(2, nh + kvh, kvh).transpose(1, 2)
    k, v, kc, vc = self.kv_update(k, v, kc, vc, start, mode)
    a = torch.scaled_dot_product_attention(q, k, v, attn_mask=attn, dropout_p=0.0, is_causal=False,
        enable_gqa=nh != kvh)
    x = x + torch.linear(self.merge(a), w[o + 3], w[o + 4])
    gate, up = torch.linear(self.rms(x, w[o + 5], fcfg[0]), w[o + 6]).chunk(2, 2)
    x = x + torch.linear(self.act(gate, cfg[3]) * up, w[o + 7])
    return x, kc, vc
