{
  "targets": [
    {
      "target_name": "edora_native",
      "sources": [
        "native/addon.cc",
        "native/args.cc",
        "native/binary.cc",
        "native/blas.cc",
        "native/column_scale.cc",
        "native/cpu.cc",
        "native/gemm.cc",
        "native/gemm_builtin.cc",
        "native/gemm_pack.cc",
        "native/layernorm.cc",
        "native/reduce.cc",
        "native/skinny.cc",
        "native/softmax.cc",
        "native/softmax_avx2.cc",
        "native/thread_pool.cc",
        "native/ukernel_avx2.cc",
        "native/ukernel_avx512.cc",
        "native/ukernel_generic.cc",
        "native/unary.cc",
        "native/unary_avx2.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_CPP_EXCEPTIONS_ALL"
      ],
      "cflags!": ["-fno-exceptions", "-fno-omit-frame-pointer"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags": ["-O3", "-fno-math-errno", "-fvisibility=hidden"],
      "cflags_cc": ["-O3", "-fexceptions"],
      "conditions": [
        ["OS=='linux'", {
          "libraries": ["-ldl", "-lpthread"]
        }],
        ["OS=='mac'", {
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "CLANG_CXX_LANGUAGE_STANDARD": "gnu++17",
            "GCC_OPTIMIZATION_LEVEL": "3",
            "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
            "OTHER_CFLAGS": ["-fno-math-errno"],
            "MACOSX_DEPLOYMENT_TARGET": "10.15"
          }
        }],
        ["OS=='win'", {
          "msvs_settings": {
            "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] }
          }
        }]
      ]
    }
  ]
}
