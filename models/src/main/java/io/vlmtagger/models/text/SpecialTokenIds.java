package io.vlmtagger.models.text;

import java.util.Arrays;
import java.util.OptionalLong;

/**
 * The ids generation needs: beginning-of-sequence, end(s)-of-sequence, padding. Any may be absent
 * from a checkpoint (OPT's bos equals its eos; Llama checkpoints often have no pad). Several eos
 * ids are allowed ({@code generation_config.json} may list more than one).
 */
public record SpecialTokenIds(OptionalLong bos, long[] eos, OptionalLong pad) {
    public SpecialTokenIds {
        eos = eos == null ? new long[0] : eos.clone();
    }

    /** The eos ids. Copy: free to modify. */
    @Override
    public long[] eos() {
        return eos.clone();
    }

    /** The first eos id, the one a prompt's answers are terminated with. */
    public OptionalLong firstEos() {
        return eos.length == 0 ? OptionalLong.empty() : OptionalLong.of(eos[0]);
    }

    public boolean isEos(long id) {
        for (long e : eos) {
            if (e == id) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "SpecialTokenIds{bos=" + bos + ", eos=" + Arrays.toString(eos) + ", pad=" + pad + "}";
    }
}
