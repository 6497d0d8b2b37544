  # ---- vit.ts: pre-LN vision transformer layers (BLIP-2's vision_model, CLIP towers) ----
  # w: 12 per layer from 12 i: layer_norm1 w/b [D], qkv [3D, D] (q; k; v rows) and its bias [3D],
  #    out projection [D, D] / [D], layer_norm2 w/b [D], fc1 [F, D] / [F], fc2 [D, F] / [D]
  # cfg: 0 heads, 1 activation (see act); fcfg: 0 layer norm eps

  def vit_layers(self: SELF,
    x: Tensor,
    w: List[Tensor],
    first: int,
    count: int,
    cfg: List[int],
    fcfg: List[float]) -> Tensor:
    # layers first .. first + count - 1: x [B, T, D] -> [B, T, D]
    for i in range(first, first + count):
      x = self.vit_layer(x, w, 12 * i, cfg, fcfg)
    return x

  def vit_layer(self: SELF,
    x: Tensor,
    w: List[Tensor],
    o: int,
    cfg: List[int],
    fcfg: List[float]) -> Tensor:
    # encoder.layers.N: x + attn(ln1(x)), then + fc2(act(fc1(ln2(.)))); bidirectional, scale hd^-0.5
    b = x.size(0)
    t = x.size(1)
    d = x.size(2)
    h = torch.layer_norm(x, [d], w[o], w[o + 1], fcfg[0])
    qkv = torch.linear(h, w[o + 2], w[o + 3]).view(b, t, 3, cfg[0], d // cfg[0]).permute(2, 0, 3, 1, 4)
    q, k, v = qkv.unbind(0)
    a = torch.scaled_dot_product_attention(q, k, v)
    x = x + torch.linear(self.merge(a), w[o + 4], w[o + 5])
    h = torch.layer_norm(x, [d], w[o + 6], w[o + 7], fcfg[0])
    return x + torch.linear(self.act(torch.linear(h, w[o + 8], w[o + 9]), cfg[1]), w[o + 10], w[o + 11])
