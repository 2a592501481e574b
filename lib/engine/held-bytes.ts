import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';

/**
 * Yjs' v1 update decoder copies every binary it reads (`readBuf`), so applying a 1 MB metrics doc, whose content is
 * its chunks, allocates and copies another 1 MB. This one hands out views of the update instead, as Yjs' own v2
 * decoder does. Only for bytes nobody changes afterwards: the docs' binaries then share their memory.
 */
class ViewingDecoderV1 extends Y.UpdateDecoderV1 {
  override readBuf(): Uint8Array {
    return decoding.readVarUint8Array(this.restDecoder);
  }
}

/**
 * `Y.applyUpdate` for bytes the caller holds and will not write to again: a relay snapshot just fetched, a log read
 * from IndexedDB or SQLite (ENG-P1). The binary contents of the doc (a metrics doc's chunks) are views of `update`,
 * not copies of it, so a doc that is mostly binaries costs its bytes once, not twice.
 */
export function applyHeldUpdate(doc: Y.Doc, update: Uint8Array, origin?: unknown): void {
  Y.applyUpdateV2(doc, update, origin, ViewingDecoderV1);
}
