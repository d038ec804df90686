"""Random gotrace programs, for fuzzing the front end.

Two sources of input:

  grammar(rng)   a program built from the language's grammar: every probe
                 type, statement, operator, builtin and function, with right
                 and wrong argument counts and types, so most programs get
                 past the parser and exercise sema and codegen;
  mutate(rng, p) a program damaged at the token or byte level (delete,
                 insert, swap, duplicate tokens, truncate, random bytes), so
                 the lexer, the parser's error recovery and sema's handling
                 of half-typed trees get exercised too.

Only the standard library; deterministic for a given random.Random.
"""
import random
import re

PROGS = "/work/main/build/tests/progs"

# Names from sema/builtins.c: variables, then functions with their
# argument counts (min, max).
BUILTINS = ["pid", "tid", "uid", "gid", "comm", "nsecs", "elapsed", "cpu",
            "probe", "func", "arg0", "arg1", "arg2", "arg3", "arg4", "arg5",
            "retval", "ustack", "cpid", "goid", "kstack", "args"]
FUNCS = {"printf": (1, 64), "print": (1, 3), "clear": (1, 1), "zero": (1, 1),
         "delete": (1, 1), "exit": (0, 1), "time": (0, 1), "str": (1, 2),
         "ustack": (0, 1), "kstack": (0, 1), "usym": (1, 1),
         "strncmp": (3, 3), "reg": (1, 1), "sizeof": (1, 1),
         "go_arg": (1, 1), "go_str": (1, 2), "go_ret": (1, 1),
         "go_ustack": (0, 1), "go_ustack_lines": (0, 1), "count": (0, 0),
         "sum": (1, 1), "avg": (1, 1), "min": (1, 1), "max": (1, 1),
         "stats": (1, 1), "hist": (1, 1), "lhist": (4, 4)}
AGGS = ["count", "sum", "avg", "min", "max", "stats", "hist", "lhist"]
BINOPS = ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "&&", "||",
          "==", "!=", "<", "<=", ">", ">="]
ASSIGN_OPS = ["=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>="]
TYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"]
INTS = ["0", "1", "2", "7", "31", "32", "63", "64", "100", "127", "128", "255",
        "256", "1000", "4096", "0x10", "0xffffffff", "2147483648",
        "9223372036854775807", "9223372036854775808", "18446744073709551615",
        "99999999999999999999999", "0x7fffffffffffffff", "0xffffffffffffffff"]
FORMATS = ['"%d\\n"', '"%s\\n"', '"%d %s\\n"', '"%x %u %lld\\n"', '"%%\\n"',
           '"%"', '"%q\\n"', '"%-10s|%5d\\n"', '"hello\\n"', '""', '"%c"',
           '"%p %o %X"', '"%lu %hhd %zd"', '"%s%s%s%s"', '"\\x41\\x4"',
           '"\\t\\r\\0\\"\\\\"']
REGS = ['"ip"', '"sp"', '"bp"', '"ax"', '"di"', '"r15"', '"nope"', '""']
STRINGS = ['"a"', '"hello"', '""', '"x\\ny"', '"%s"', '"' + "z" * 70 + '"',
           '"' + "w" * 300 + '"', '"\\x00\\x01"', '"main.add"']


def probes(rng):
    """A list of attach points for one probe."""
    hello, gohello = PROGS + "/hello", PROGS + "/gohello"
    pool = [
        "BEGIN", "END",
        "interval:s:1", "interval:ms:100", "interval:us:10", "interval:hz:99",
        "interval:s:0", "interval:min:1", "interval:s:$1", "interval:s",
        "interval:s:-1", "interval:s:99999999999999999999", "i:ms:5",
        "profile:hz:99", "profile:ms:1", "p:hz:1",
        "uprobe:%s:f" % hello, "uprobe:%s:add" % hello,
        "uretprobe:%s:add" % hello, "uprobe:%s:func_*" % hello,
        "u:%s:func_one" % hello, "ur:%s:func_two" % hello,
        "uprobe:%s:f+4" % hello, "uprobe:%s:f+1" % hello,
        "uprobe:%s:nosuch" % hello, "uprobe:%s:0x1000" % hello,
        "uprobe:%s:main.add" % gohello, "uretprobe:%s:main.add" % gohello,
        "uprobe:%s:main.deep" % gohello, "uprobe:%s:main.*" % gohello,
        "uprobe:%s:runtime.newobject" % gohello,
        'uprobe:%s:"main.add"' % gohello,
        "uprobe:/nonexistent:f", "uprobe:%s" % hello, "uprobe::f",
        "uprobe:%s:f:extra:more" % hello,
        "tracepoint:syscalls:sys_enter_nanosleep",
        "tracepoint:syscalls:sys_exit_nanosleep",
        "t:syscalls:sys_enter_nanosleep", "tracepoint:syscalls:sys_enter_*",
        "tracepoint:nosuch:thing", "tracepoint:syscalls",
        "tracepoint:../../x:y", "kprobe:do_nanosleep", "nosuch:x",
        "BEGIN:x", "END:", "uprobe:$1:f",
    ]
    weights = [6 if p in ("BEGIN", "END") else 1 for p in pool]
    n = 1 if rng.random() < 0.8 else rng.randint(2, 4)
    return rng.choices(pool, weights, k=n)


class Gen:
    """Grammar-driven program generator with a depth budget."""

    def __init__(self, rng):
        self.r = rng
        self.maps = ["@", "@a", "@b", "@m", "@h", "@s", "@t", "@x_1"]
        self.vars = ["$x", "$y", "$s", "$t", "$i"]

    def pick(self, seq):
        return self.r.choice(seq)

    def int_lit(self):
        v = self.pick(INTS)
        return ("-" + v) if self.r.random() < 0.15 else v

    def map_ref(self, d):
        m = self.pick(self.maps)
        if self.r.random() < 0.5:
            return m
        k = self.r.randint(1, 3)
        return "%s[%s]" % (m, ", ".join(self.expr(d + 1) for _ in range(k)))

    def lvalue(self, d):
        return self.map_ref(d) if self.r.random() < 0.6 else self.pick(self.vars)

    def call(self, d, name=None):
        name = name or self.pick(list(FUNCS))
        lo, hi = FUNCS[name]
        if self.r.random() < 0.8:
            n = self.r.randint(lo, min(hi, lo + 3))
        else:
            n = self.r.randint(0, 6)
        args = []
        for i in range(n):
            args.append(self.arg(name, i, d))
        return "%s(%s)" % (name, ", ".join(args))

    def arg(self, name, i, d):
        r = self.r.random()
        if name == "printf" and i == 0 and r < 0.8:
            return self.pick(FORMATS)
        if name == "time" and r < 0.7:
            return self.pick(['"%H:%M:%S\\n"', '"%Y"', '""', '"%"'])
        if name == "reg" and r < 0.8:
            return self.pick(REGS)
        if name in ("print", "clear", "zero", "delete") and i == 0 and r < 0.8:
            return self.map_ref(d)
        if name in ("go_arg", "go_str", "go_ret") and r < 0.7:
            return self.pick(["0", "1", "2", "8", "9", "-1", '"a"', '"b"', '"x"',
                              '"nosuch"', "$1", "1+1", "9223372036854775807"])
        if name in ("str", "ustack", "kstack", "go_ustack", "go_ustack_lines",
                    "lhist", "strncmp") and i > 0 and r < 0.6:
            return self.pick(["0", "1", "16", "31", "32", "60", "61", "100", "127",
                              "128", "256", "257", "1000", "-1", "1-2", "2*3",
                              "9223372036854775807", "-9223372036854775807-1",
                              "9223372036854775807+1", "-(-9223372036854775807-1)",
                              "$1", "$2", "pid"])
        return self.expr(d + 1)

    def primary(self, d):
        choices = [
            lambda: self.int_lit(),
            lambda: self.pick(STRINGS),
            lambda: self.pick(BUILTINS),
            lambda: self.call(d),
            lambda: self.map_ref(d),
            lambda: self.pick(self.vars),
            lambda: "$%d" % self.r.choice([0, 1, 2, 3, 9, 99999999999999999999]),
            lambda: "$#",
            lambda: "args->%s" % self.pick(["rqtp", "rmtp", "__syscall_nr", "nope", "ret"]),
            lambda: "args.%s" % self.pick(["rqtp", "ret", "x"]),
            lambda: "foo.bar",
            lambda: "(%s)" % self.expr(d + 1),
            lambda: "(%s)" % ", ".join(self.expr(d + 1) for _ in range(self.r.randint(2, 4))),
            lambda: "%s.%d" % (self.pick(self.vars + self.maps), self.r.choice([0, 1, 2, 5, -1])),
            lambda: "sizeof(%s)" % self.pick(TYPES),
            lambda: "%s(%s)" % (self.pick(["pid", "nosuch", "comm", "foo"]),
                                self.expr(d + 1)),
            lambda: "%s(%s)" % (self.pick(["count", "max"]), self.pick(TYPES)),
        ]
        if d > 5:
            choices = choices[:3] + choices[5:8]
        return self.r.choice(choices)()

    def unary(self, d):
        r = self.r.random()
        if d > 6 or r < 0.6:
            return self.primary(d)
        return self.pick([
            lambda: "-" + self.unary(d + 1), lambda: "!" + self.unary(d + 1),
            lambda: "~" + self.unary(d + 1),
            lambda: "++" + self.lvalue(d), lambda: "--" + self.lvalue(d),
            lambda: self.lvalue(d) + "++", lambda: self.lvalue(d) + "--",
            lambda: "(%s)%s" % (self.pick(TYPES), self.unary(d + 1)),
        ])()

    def expr(self, d=0):
        r = self.r.random()
        if d > 6 or r < 0.45:
            return self.unary(d)
        if r < 0.9:
            return "%s %s %s" % (self.expr(d + 1), self.pick(BINOPS), self.expr(d + 1))
        return "%s ? %s : %s" % (self.expr(d + 1), self.expr(d + 1), self.expr(d + 1))

    def stmt(self, d):
        r = self.r.random()
        if d < 4 and r < 0.12:
            els = ""
            if self.r.random() < 0.4:
                els = " else " + (self.block(d + 1) if self.r.random() < 0.6
                                  else self.stmt_if(d + 1))
            return "if (%s) %s%s" % (self.expr(1), self.block(d + 1), els)
        if d < 4 and r < 0.18:
            return "while (%s) %s" % (self.expr(1), self.block(d + 1, loop=True))
        if d < 4 and r < 0.22:
            return "unroll (%s) %s" % (self.pick(["0", "1", "3", "100", "101", "-1"]),
                                       self.block(d + 1))
        if r < 0.45:
            return "%s = %s" % (self.map_ref(1), self.call(1, self.pick(AGGS)))
        if r < 0.65:
            return "%s %s %s" % (self.lvalue(1), self.pick(ASSIGN_OPS), self.expr(1))
        if r < 0.8:
            return self.call(1, self.pick(["printf", "print", "clear", "zero",
                                           "delete", "exit", "time", "printf"]))
        if r < 0.85:
            return self.pick(["return", "break", "continue"])
        return self.expr(1)

    def stmt_if(self, d):
        return "if (%s) %s" % (self.expr(1), self.block(d + 1))

    def block(self, d, loop=False):
        n = self.r.randint(0, 4)
        parts = []
        for _ in range(n):
            s = self.stmt(d)
            if loop and self.r.random() < 0.2:
                s = self.pick(["break", "continue"])
            parts.append(s)
        sep = "; " if self.r.random() < 0.9 else ";; "
        body = sep.join(parts)
        if parts and self.r.random() < 0.5:
            body += ";"
        return "{ %s }" % body

    def program(self):
        out = []
        for _ in range(self.r.randint(1, 4)):
            specs = ",".join(probes(self.r))
            pred = ""
            if self.r.random() < 0.2:
                pred = " /%s/" % self.expr(2)
            out.append("%s%s %s" % (specs, pred, self.block(0)))
        return ("\n" if self.r.random() < 0.5 else " ").join(out)


def grammar(rng):
    return Gen(rng).program()



class Typed:
    """Programs that are meant to type-check: expressions are built by
    type (integer, string, tuple), maps and variables keep one type each,
    builtins are the ones the probe allows. These get through sema into
    codegen and LLVM, where the generic generator's programs rarely go."""

    # map -> (key types, value maker name)
    MAPS = {"@a": ((), "int"), "@b": (("int",), "int"), "@c": (("int", "str"), "count"),
            "@d": (("str",), "hist"), "@e": ((), "lhist"), "@f": (("int",), "str"),
            "@g": ((), "tuple"), "@k": (("ustack",), "count"), "@s": (("int",), "stats"),
            "@n": (("int", "int", "int"), "min"), "@x": ((), "max"), "@v": (("str",), "avg"),
            "@w": ((), "sum"), "@q": (("kstack",), "count"), "@p": (("probe",), "count"),
            "@z": (("usym",), "count")}

    def __init__(self, rng):
        self.r = rng
        self.edgy = rng.random() < 0.25  # extreme constants, mostly errors

    def probe(self):
        hello, gohello = PROGS + "/hello", PROGS + "/gohello"
        return self.r.choice([
            ("BEGIN", "special"), ("END", "special"), ("interval:ms:100", "timer"),
            ("interval:%s:%s" % (self.r.choice(["s", "ms", "us", "hz"]), self.r.choice(
                ["1", "0", "9223372036854775807", "18446744073", "99999999999999999999", "$1"]
                if self.edgy else ["1", "5"])), "timer"),
            ("profile:hz:99", "timer"),
            ("tracepoint:syscalls:sys_enter_nanosleep", "tp"),
            ("uprobe:%s:f" % hello, "u"), ("uprobe:%s:func_*" % hello, "u"),
            ("uretprobe:%s:add" % hello, "ur"), ("uprobe:%s:add+4" % hello, "uoff"),
            ("uprobe:%s:main.add" % gohello, "gou"), ("uretprobe:%s:main.add" % gohello, "gour"),
            ("uprobe:%s:main.deep" % gohello, "gou"),
        ])

    def int_(self, d=0):
        r = self.r.random()
        k = self.kind
        if d > 4 or r < 0.35:
            leaves = [lambda: self.r.choice(INTS), lambda: self.r.choice(
                ["pid", "tid", "uid", "gid", "nsecs", "elapsed", "cpu"]),
                lambda: "$i", lambda: "$1", lambda: "$#", lambda: "@a", lambda: "@b[%s]" % self.int_(9),
                lambda: "$t.0", lambda: "sizeof(%s)" % self.r.choice(TYPES)]
            if k in ("u", "gou", "uoff"):
                leaves += [lambda: "arg%d" % self.r.randrange(6), lambda: 'reg("sp")']
            if k in ("ur", "gour"):
                leaves += [lambda: "retval"]
            if k == "tp":
                leaves += [lambda: "args->rqtp", lambda: "args.rmtp", lambda: "args->__syscall_nr"]
            if k == "gou":
                leaves += [lambda: "go_arg(%d)" % self.r.randrange(9), lambda: "goid",
                           lambda: 'go_arg("%s")' % self.r.choice(["a", "b", "n"])]
            if k == "gour":
                leaves += [lambda: "go_ret(%d)" % self.r.randrange(9), lambda: "goid"]
            return self.r.choice(leaves)()
        if r < 0.7:
            return "(%s %s %s)" % (self.int_(d + 1), self.r.choice(BINOPS), self.int_(d + 1))
        return self.r.choice([
            lambda: "-" + self.int_(d + 1), lambda: "!" + self.int_(d + 1),
            lambda: "~" + self.int_(d + 1), lambda: "(%s)%s" % (self.r.choice(TYPES), self.int_(d + 1)),
            lambda: "(%s ? %s : %s)" % (self.int_(d + 1), self.int_(d + 1), self.int_(d + 1)),
            lambda: "(%s %s %s)" % (self.str_(d + 1), self.r.choice(["==", "!="]), self.str_(d + 1)),
            lambda: "strncmp(%s, %s, %d)" % (self.str_(d + 1), self.str_(d + 1), self.r.randrange(20)),
            lambda: self.r.choice(["$i++", "++$i", "$i--", "--$i", "@a++", "--@b[1]"]),
            lambda: "sizeof(%s)" % self.r.choice(["$s", "$t", "comm", "ustack", "1"]),
        ])()

    def str_(self, d=0):
        k = self.kind
        leaves = [lambda: self.r.choice(STRINGS), lambda: "comm", lambda: "$s",
                  lambda: "@f[%s]" % self.int_(d + 1), lambda: "$t.1",
                  lambda: "str(%s)" % self.r.choice(['"x"', "$s", "comm"])]
        if k in ("u", "uoff", "gou"):
            leaves += [lambda: "str(arg%d%s)" % (self.r.randrange(6), self.r.choice(["", ", 8", ", 256", ", 1"]))]
        if k == "tp":
            leaves += [lambda: "str(args->rqtp)"]
        if k == "gou":
            leaves += [lambda: "go_str(%d%s)" % (self.r.randrange(8), self.r.choice(["", ", 4", ", 255"]))]
        if d < 4 and self.r.random() < 0.2:
            return "(%s ? %s : %s)" % (self.int_(d + 1), self.str_(d + 1), self.str_(d + 1))
        return self.r.choice(leaves)()

    def key(self, t):
        if t == "int":
            return self.int_(2)
        if t == "str":
            return self.str_(2)
        if t == "tuple":
            return "(%s, %s)" % (self.int_(3), self.str_(3))
        if t == "ustack":
            return "ustack"
        if t == "kstack":
            return "kstack"
        if t == "probe":
            return "probe"
        if t == "usym":
            return "usym(%s)" % self.int_(3)

    def map_assign(self):
        name = self.r.choice(list(self.MAPS))
        keys, val = self.MAPS[name]
        if "ustack" in keys and self.kind == "special":
            name, keys, val = "@a", (), "int"
        ref = name + ("[%s]" % ", ".join(self.key(k) for k in keys) if keys else "")
        v = {"int": lambda: self.int_(1), "str": lambda: self.str_(1),
             "count": lambda: "count()", "hist": lambda: "hist(%s)" % self.int_(1),
             "lhist": lambda: "lhist(%s, %s)" % (self.int_(1), "0, 100, 10" if not self.edgy
                 else self.r.choice(["0, 100, 10", "0, 100, 10", "-5, 5, 1", "0, 10000, 10", "0, 1, 1",
                  "9223372036854775807 + 1, 2, 1", "0, 9223372036854775807, 1",
                  "-9223372036854775807, 9223372036854775807, 4611686018427387904",
                  "0, 10, -(-9223372036854775807 - 1)", "$1, $1 + 10, 1"])),

             "tuple": lambda: "(%s, %s)" % (self.int_(2), self.str_(2)),
             "stats": lambda: "stats(%s)" % self.int_(1), "min": lambda: "min(%s)" % self.int_(1),
             "max": lambda: "max(%s)" % self.int_(1), "avg": lambda: "avg(%s)" % self.int_(1),
             "sum": lambda: "sum(%s)" % self.int_(1)}[val]()
        if val == "int" and self.r.random() < 0.3:
            return "%s %s %s" % (ref, self.r.choice(ASSIGN_OPS[1:]), self.int_(1))
        return "%s = %s" % (ref, v)

    def printf(self):
        n = self.r.randint(0, 4)
        convs, args = [], []
        for _ in range(n):
            if self.r.random() < 0.6:
                convs.append(self.r.choice(["%d", "%u", "%x", "%lld", "%5d", "%-3lu", "%c", "%o"]))
                args.append(self.int_(1))
            else:
                convs.append(self.r.choice(["%s", "%-10s", "%20s"]))
                args.append(self.r.choice([self.str_(1), "ustack", "probe", "kstack",
                                           "usym(%s)" % self.int_(2)] +
                                          (["func"] if self.kind[0] in "ug" else [])))
        fmt = '"' + " ".join(convs) + '\\n"'
        return "printf(%s)" % ", ".join([fmt] + args)

    def stmt(self, d):
        r = self.r.random()
        if d < 3 and r < 0.08:
            return "if (%s) %s%s" % (self.int_(1), self.block(d + 1),
                                     " else " + self.block(d + 1) if self.r.random() < 0.5 else "")
        if d < 3 and r < 0.12:
            return "$j = 0; while ($j < %d) { $j++; %s; if ($j == 2) { %s } }" % (
                self.r.randint(1, 20), self.stmt(d + 1), self.r.choice(["break", "continue", ""]))
        if d < 3 and r < 0.16:
            return "unroll (%d) %s" % (self.r.randint(1, 5), self.block(d + 1))
        if r < 0.45:
            return self.map_assign()
        if r < 0.55:
            return self.printf()
        if r < 0.62:
            return "$i = %s" % self.int_(1)
        if r < 0.66:
            return "$s = %s" % self.str_(1)
        if r < 0.7:
            return "$t = (%s, %s)" % (self.int_(2), self.str_(2))
        if r < 0.76:
            return self.r.choice(["print(@a)", "print(@c, 3)", "print(@d, 2, 1)", "clear(@b)",
                                  "zero(@s)", "delete(@b[%s])" % self.int_(2), "print(%s)" % self.int_(1),
                                  "print(%s)" % self.str_(1), "print($t)", "print(@e)"])
        if r < 0.8:
            return self.r.choice(["exit()", "exit(%s)" % self.int_(2), "time()", 'time("%Y %H\\n")'])
        if r < 0.84 and self.kind in ("gou", "gour"):
            return self.r.choice(["@k2[go_ustack] = count()", "@k3[go_ustack(5)] = count()",
                                  "printf(\"%s\\n\", go_ustack_lines(3))"])
        if r < 0.9:
            return self.int_(1)
        if r < 0.93 and self.edgy:
            return self.r.choice(EDGE_STMTS)
        return "return"

    def block(self, d):
        return "{ %s }" % "; ".join(self.stmt(d) for _ in range(self.r.randint(1, 5)))

    def program(self):
        out = []
        for _ in range(self.r.randint(1, 3)):
            spec, self.kind = self.probe()
            pred = " /%s/" % re.sub(r"\$[itsj]\b(\.\d)?", "1", self.int_(2)) \
                if self.r.random() < 0.2 else ""
            body = '$i = 1; $s = "s"; $t = (1, "t"); @a = 1; @b[0] = 2; @f[0] = "f"; %s' % (
                "; ".join(self.stmt(0) for _ in range(self.r.randint(1, 6))))
            out.append("%s%s { %s }" % (spec, pred, body))
        return "\n".join(out)


# Statements with extreme constants, each once a UBSan report.
EDGE_STMTS = [
    'printf("%s\\n", str(1, 9223372036854775807 + 1))', "@u = ustack(-9223372036854775807 - 1 - 1)",
    "@u2[kstack(9223372036854775807 * 3)] = count()", 'printf("%s", str($s, 0 - 1))',
    "unroll (18446744073709551615) { @a = 1 }", "$t2 = (1, 2); $i = $t2.9223372036854775807",
    'print(@a, 9223372036854775807, -1)', "exit(-9223372036854775807 - 1)",
    "@a = (int8)-9223372036854775808 >> 64", "@a = -9223372036854775807 - 1; @a = @a / -1",
    'printf("%s", go_str(9223372036854775807))', "$i = go_arg(-9223372036854775807 - 1)",
    "@g2 = go_ustack(9223372036854775807 + 2)", 'printf("%d", strncmp("a", "b", 0 - 1))',
]


def typed(rng):
    return Typed(rng).program()

TOKEN_RE = re.compile(r'"(?:[^"\\\n]|\\.)*"|[A-Za-z_@$][A-Za-z0-9_./*:+-]*|\d+|'
                      r'<<=|>>=|[-+*/%&|^=!<>]=|&&|\|\||<<|>>|\+\+|--|->|\s+|.',
                      re.S)
JUNK = ["{", "}", "(", ")", "[", "]", ",", ";", "/", "?", ":", ".", "@", "$",
        '"', "'", "\\", "#", "if", "else", "while", "unroll", "return", "int64",
        "(uint8)", "args", "->", "++", "=", "==", "\n", "\0", "\xff", "/*",
        "*/", "//", "BEGIN", "END", "$1", "$#", "@m[", "printf(", "0x",
        "9223372036854775808", "`", "\t", "~", "!", "%", "%s", "\\x"]


def mutate(rng, prog):
    toks = TOKEN_RE.findall(prog)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        if not toks:
            toks = [rng.choice(JUNK)]
        i = rng.randrange(len(toks))
        if op < 0.25:
            del toks[i]
        elif op < 0.45:
            toks.insert(i, rng.choice(JUNK + toks))
        elif op < 0.55:
            j = rng.randrange(len(toks))
            toks[i], toks[j] = toks[j], toks[i]
        elif op < 0.65:
            toks[i:i] = toks[i:i + rng.randint(1, 8)]
        elif op < 0.75:
            toks = toks[:i]
        else:
            s = "".join(toks)
            k = rng.randrange(len(s) + 1)
            b = "".join(chr(rng.choice([rng.randrange(1, 128), rng.randrange(128, 256)]))
                        for _ in range(rng.randint(1, 3)))
            s = s[:k] + b + s[k:]
            toks = TOKEN_RE.findall(s)
    return "".join(toks)


if __name__ == "__main__":
    import sys
    r = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    for _ in range(5):
        p = typed(r)
        print(p)
        print("  ~>", mutate(r, p))
