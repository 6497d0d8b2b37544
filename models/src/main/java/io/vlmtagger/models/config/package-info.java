/**
 * {@code config.json} as typed records with the transformers 4.40 class defaults applied for absent
 * keys: {@link io.vlmtagger.models.config.Blip2Config} (vision, Q-Former, OPT), {@link
 * io.vlmtagger.models.config.LlavaConfig} (CLIP vision, Llama), read through {@link
 * io.vlmtagger.models.config.ConfigReader}.
 */
package io.vlmtagger.models.config;
