#!/usr/bin/env python3
"""Where the threads of every JVM of a benchmark spend their time, down to the instruction.

JMH's profilers see the benchmark's own JVM only; a queue benchmark's consumer runs in another
(QueuePeer, DrainPeer). And this project's VM has no hardware counters, so perf can only sample
on the clock. This script runs one benchmark, and during its second measured iteration samples
both CPUs with `perf record -e cpu-clock`. While the JVMs still run it has each write its map of
compiled code (`jcmd PID Compiler.perfmap`) and copies the machine code of the hottest methods
out of `/proc/PID/mem`. It then prints, per busy thread, its share of the samples by method
and, for the hottest compiled methods, the instructions with at least `--min` percent of that
thread's samples, disassembled with binutils' objdump, a few instructions of context before
each. A sample lands on the instruction after the one that waited (skid): read a hot `lea`
after a load as that load's miss.

    sudo tools/hot-instructions.py -- CrossJvmQueueThroughput -f 1 -wi 4 -i 12 \\
        -p transport=jshm-fanin -p size=1024 -p payload=ignored

Needs perf, objdump and root (or perf_event_paranoid <= 0, ptrace access to the JVMs).
"""
import argparse
import bisect
import collections
import os
import shutil
import subprocess
import sys
import tempfile
import time

from x86_listing import objdump_listing

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES_PER_SECOND = 4999  # per CPU; odd, so as not to beat with periodic work
JVM_ROLES = {'ForkedMain': 'benchmark JVM', 'QueuePeer': 'peer JVM'}


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seconds', type=float, default=6, help='how long to sample (default 6)')
    parser.add_argument('--methods', type=int, default=3, help='compiled methods annotated per thread (default 3)')
    parser.add_argument('--min', type=float, default=1.0, help='percent of a thread for an instruction to be shown')
    parser.add_argument('bench', nargs='+', help='arguments for ./jshm bench')
    return parser.parse_args()


def wait_for_measurement(log, bench):
    while bench.poll() is None:
        with open(log) as f:
            if any(line.startswith('Iteration   2:') for line in f):
                return
        time.sleep(0.2)
    sys.exit(f'hot-instructions: the benchmark ended before its second measured iteration; see {log}')


def benchmark_jvms():
    jvms = {}
    for pid in os.listdir('/proc'):
        if pid.isdigit():
            try:
                with open(f'/proc/{pid}/cmdline', 'rb') as f:
                    command = f.read().decode(errors='replace')
                java = os.path.basename(os.readlink(f'/proc/{pid}/exe')) == 'java'
            except OSError:  # gone meanwhile
                continue
            for marker, role in JVM_ROLES.items():
                if java and marker in command:
                    jvms[int(pid)] = role
    return jvms


def compiled_code(pid, workdir):
    """(start, size, name) of every blob in the JVM's code cache, from its perf map."""
    path = os.path.join(workdir, f'{pid}.map')
    try:
        jcmd = os.path.join(os.path.dirname(os.readlink(f'/proc/{pid}/exe')), 'jcmd')  # the JVM's own JDK
        answer = subprocess.run([jcmd, str(pid), 'Compiler.perfmap', path], capture_output=True, text=True)
        problem = None if answer.returncode == 0 else answer.stdout.strip() or answer.stderr.strip()
    except OSError as e:
        problem = str(e)
    if problem:  # gone since it was found, or not attachable: its compiled code stays unnamed
        print(f'hot-instructions: no code map from {pid}: {problem}', file=sys.stderr)
        return []
    blobs = []
    with open(path) as f:
        for line in f:
            parts = line.rstrip('\n').split(' ', 2)
            if len(parts) == 3:
                blobs.append((int(parts[0], 16), int(parts[1], 16), parts[2]))
    return sorted(blobs)


def name_of(blobs, starts, ip):
    """The blob (start, size, name) holding `ip`, or None; `starts` are the blobs' starts, sorted."""
    i = bisect.bisect_right(starts, ip) - 1
    return blobs[i] if i >= 0 and ip < blobs[i][0] + blobs[i][1] else None


def require_tools():
    for tool in ('perf', 'objdump'):
        if shutil.which(tool) is None:
            sys.exit(f'hot-instructions: {tool} is not on PATH (perf: linux-tools / linux-perf; objdump: binutils)')
    if os.geteuid() != 0:
        with open('/proc/sys/kernel/perf_event_paranoid') as f:
            if int(f.read()) > 0:
                sys.exit('hot-instructions: run as root (sampling every CPU and reading the JVMs\' code from /proc '
                         'need it, or perf_event_paranoid <= 0 and ptrace rights)')


def main():
    arguments = parse_arguments()
    require_tools()
    workdir = tempfile.mkdtemp(prefix='hot-instructions-')
    log = os.path.join(workdir, 'bench.log')
    with open(log, 'w') as out:
        bench = subprocess.Popen([os.path.join(ROOT, 'jshm'), 'bench', *arguments.bench], stdout=out,
                                 stderr=subprocess.STDOUT)
    try:
        report(arguments, workdir, log, bench)
    except BaseException:
        bench.terminate()  # no benchmark left running behind a failed or interrupted profile
        raise


def report(arguments, workdir, log, bench):
    wait_for_measurement(log, bench)
    jvms = benchmark_jvms()
    if not jvms:
        sys.exit('hot-instructions: found no JVM of the benchmark (' + ', '.join(JVM_ROLES) + ') in /proc')
    data = os.path.join(workdir, 'perf.data')
    record = subprocess.run(['perf', 'record', '-a', '-e', 'cpu-clock', '-F', str(SAMPLES_PER_SECOND), '-o', data,
                             '--', 'sleep', str(arguments.seconds)], capture_output=True, text=True)
    if record.returncode != 0:
        sys.exit('hot-instructions: perf record failed: ' + record.stderr.strip())
    blobs = {pid: compiled_code(pid, workdir) for pid in jvms}
    starts = {pid: [blob[0] for blob in blobs[pid]] for pid in jvms}
    script = subprocess.run(['perf', 'script', '-i', data, '-F', 'pid,tid,ip,sym'], capture_output=True,
                            text=True, check=True).stdout
    samples = collections.defaultdict(collections.Counter)  # (pid, tid) -> method name -> count
    at = collections.defaultdict(collections.Counter)  # (pid, tid) -> (blob, ip) -> count
    for line in script.splitlines():
        fields = line.split(None, 3)
        if len(fields) < 3 or '/' not in fields[0]:
            continue
        pid, tid = (int(x) for x in fields[0].split('/'))
        ip = int(fields[1], 16)
        if pid not in jvms:
            continue
        blob = name_of(blobs[pid], starts[pid], ip)
        name = blob[2] if blob else (fields[2] if len(fields) > 2 else '?')
        samples[(pid, tid)][name] += 1
        if blob:
            at[(pid, tid)][(blob, ip)] += 1
    code = {}
    busy = sorted(samples, key=lambda thread: -sum(samples[thread].values()))
    total = arguments.seconds * SAMPLES_PER_SECOND
    for thread in busy:
        count = sum(samples[thread].values())
        if count < total * 0.05:
            continue
        pid, tid = thread
        print(f'== {jvms[pid]} {pid}, thread {tid}: {100 * count / total:.0f}% of a CPU')
        for name, n in samples[thread].most_common(8):
            print(f'  {100 * n / count:5.1f}%  {name[:110]}')
        hottest = collections.Counter()
        for (blob, ip), n in at[thread].items():
            hottest[blob] += n
        for blob, n in hottest.most_common(arguments.methods):
            print(f'\n  -- {blob[2][:100]} ({100 * n / count:.1f}%)')
            if blob not in code:
                code[blob] = disassemble(pid, blob)
            annotate(code[blob], {ip: k for (b, ip), k in at[thread].items() if b == blob}, count, arguments.min)
        print()
    bench.wait()
    with open(log) as f:
        print(''.join(line for line in f if 'thrpt' in line or 'sample' in line or 'avgt' in line))
    print(f'(perf data, maps and log in {workdir})')


def disassemble(pid, blob):
    """The blob's instructions as (address, text), read from the live process."""
    start, size, _ = blob
    try:
        with open(f'/proc/{pid}/mem', 'rb') as memory:
            memory.seek(start)
            raw = memory.read(size)
    except OSError as e:
        return [(start, f'(code not readable: {e})')]
    instructions = []
    for line in objdump_listing(start, raw).splitlines():
        address, _, text = line.strip().partition(':\t')
        code_bytes, tab, mnemonic = text.partition('\t')
        if tab:  # a line of bytes alone continues the instruction before
            try:
                instructions.append((int(address, 16), mnemonic))
            except ValueError:
                continue
    return instructions


def annotate(instructions, counts, thread_samples, minimum):
    if all(100 * k / thread_samples < minimum for k in counts.values()):
        print(f'      (spread: no instruction has {minimum}% of the thread)')
        return
    shown = -1
    for i, (address, text) in enumerate(instructions):
        if 100 * counts.get(address, 0) / thread_samples < minimum:
            continue
        if i - 4 > shown + 1:
            print('      ...')
        for address_before, text_before in instructions[max(i - 4, shown + 1):i + 1]:
            k = counts.get(address_before, 0)
            share = f'{100 * k / thread_samples:5.1f}%' if k else ''
            print(f'  {share:>6}  {address_before:x}  {text_before}')
        shown = i


if __name__ == '__main__':
    main()
