// napi-build sets the linker flags a Node addon needs (undefined napi_* symbols resolved by the host process).
fn main() {
  napi_build::setup();
}
