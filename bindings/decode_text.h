// decodeText(textProbs, stateProbs, options): the decode stage alone (CTC beam search, format prior,
// look-alike projection, rejection) on probabilities given by the caller, so its rules can be tested
// on exact inputs instead of through a network.
#pragma once

#include <napi.h>

namespace platewatch::bindings {

Napi::Value DecodeText(const Napi::CallbackInfo& info);

}  // namespace platewatch::bindings
