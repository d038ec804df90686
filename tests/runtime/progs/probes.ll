; BPF programs for the attach tests, compiled at test time with
; `llc-14 -march=bpf -filetype=obj`. Each program only counts its hits in
; a .bss counter (read back with a map lookup: without BTF libbpf does not
; mmap .bss), so the tests see whether and how often each probe fired.
; The section names are the ones codegen emits for each probe kind.
target triple = "bpf"

@hits_uprobe = dso_local global i64 0, section ".bss", align 8
@hits_uretprobe = dso_local global i64 0, section ".bss", align 8
@hits_tp = dso_local global i64 0, section ".bss", align 8
@hits_interval = dso_local global i64 0, section ".bss", align 8
@hits_profile = dso_local global i64 0, section ".bss", align 8
@hits_begin = dso_local global i64 0, section ".bss", align 8
@hits_legacy = dso_local global i64 0, section ".bss", align 8
@LICENSE = dso_local global [4 x i8] c"GPL\00", section "license", align 1

define dso_local i32 @on_uprobe(i8* %ctx) #0 section "uprobe.multi" {
  %1 = atomicrmw add i64* @hits_uprobe, i64 1 seq_cst
  ret i32 0
}

define dso_local i32 @on_uretprobe(i8* %ctx) #0 section "uretprobe.multi" {
  %1 = atomicrmw add i64* @hits_uretprobe, i64 1 seq_cst
  ret i32 0
}

define dso_local i32 @on_tp(i8* %ctx) #0 section "tracepoint" {
  %1 = atomicrmw add i64* @hits_tp, i64 1 seq_cst
  ret i32 0
}

define dso_local i32 @on_interval(i8* %ctx) #0 section "perf_event" {
  %1 = atomicrmw add i64* @hits_interval, i64 1 seq_cst
  ret i32 0
}

define dso_local i32 @on_profile(i8* %ctx) #0 section "perf_event" {
  %1 = atomicrmw add i64* @hits_profile, i64 1 seq_cst
  ret i32 0
}

define dso_local i32 @on_begin(i8* %ctx) #0 section "raw_tp" {
  %1 = atomicrmw add i64* @hits_begin, i64 1 seq_cst
  ret i32 0
}

; a perf-event (non-multi) uprobe, only for the timing comparison
define dso_local i32 @on_legacy(i8* %ctx) #0 section "uprobe" {
  %1 = atomicrmw add i64* @hits_legacy, i64 1 seq_cst
  ret i32 0
}

attributes #0 = { nounwind }

; hits_cookie sums the BPF cookie of each hit (helper 174, get_attach_cookie)
@hits_cookie = dso_local global i64 0, section ".bss", align 8

define dso_local i32 @on_cookie(i8* %ctx) #0 section "uprobe.multi" {
  %c = call i64 inttoptr (i64 174 to i64 (i8*)*)(i8* %ctx)
  %1 = atomicrmw add i64* @hits_cookie, i64 %c seq_cst
  ret i32 0
}
