  # ---- qformer.ts: BLIP-2's Q-Former over the learned queries (qformer.encoder.layer.N) ----
  # w: 0-1 qformer.layernorm w/b [D], 2 query_tokens [1, Q, D]; then per layer, in order:
  #    self-attention: qkv [3D, D] (query; key; value rows) / [3D], output.dense [D, D] / [D],
  #      output.LayerNorm w/b [D]  (6)
  #    cross-attention, on layers N % cross_attention_frequency == 0: query [D, D] / [D],
  #      key; value [2D, Dv] / [2D], output.dense [D, D] / [D], output.LayerNorm w/b [D]  (8)
  #    intermediate_query.dense [F, D] / [F], output_query.dense [D, F] / [D],
  #      output_query.LayerNorm w/b [D]  (6)
  # cfg: 0 layers, 1 heads, 2 cross_attention_frequency, 3 activation; fcfg: 0 layer norm eps

  def qformer(self: SELF,
    image: Tensor,
    w: List[Tensor],
    cfg: List[int],
    fcfg: List[float]) -> Tensor:
    # image [B, N, Dv] (vision last_hidden_state) -> query states [B, Q, D]
    b = image.size(0)
    d = w[0].size(0)
    nh = cfg[1]
    eps = fcfg[0]
    x = torch.layer_norm(w[2].expand(b, -1, -1), [d], w[0], w[1], eps)
    q_len = x.size(1)
    o = 3
    for i in range(cfg[0]):
      qkv = torch.linear(x, w[o], w[o + 1]).view(b, q_len, 3, nh, d // nh).permute(2, 0, 3, 1, 4)
      q, k, v = qkv.unbind(0)
      a = torch.scaled_dot_product_attention(q, k, v)
      x = torch.layer_norm(torch.linear(self.merge(a), w[o + 2], w[o + 3]) + x, [d], w[o + 4], w[o + 5], eps)
      o = o + 6
      if i % cfg[2] == 0:
        q = self.heads(torch.linear(x, w[o], w[o + 1]), nh)
        k, v = torch.linear(image, w[o + 2], w[o + 3]).chunk(2, 2)
        a = torch.scaled_dot_product_attention(q, self.heads(k, nh), self.heads(v, nh))
        x = torch.layer_norm(torch.linear(self.merge(a), w[o + 4], w[o + 5]) + x, [d], w[o + 6], w[o + 7], eps)
        o = o + 8
      f = torch.linear(self.act(torch.linear(x, w[o], w[o + 1]), cfg[3]), w[o + 2], w[o + 3])
      x = torch.layer_norm(f + x, [d], w[o + 4], w[o + 5], eps)
      o = o + 6
    return x
