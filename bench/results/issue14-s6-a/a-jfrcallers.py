import sys, json, subprocess, collections
f = sys.argv[1]; target = sys.argv[2]; depth = int(sys.argv[3]) if len(sys.argv) > 3 else 4
out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", "jdk.ExecutionSample", f], capture_output=True, text=True).stdout
ev = json.loads(out)["recording"]["events"]
c = collections.Counter(); n = 0
for e in ev:
    st = e["values"]["stackTrace"]
    if st is None or e["values"]["sampledThread"]["javaName"] != "main": continue
    fr = st["frames"]
    names = [x["method"]["type"]["name"].split("/")[-1] + "." + x["method"]["name"] + ":" + str(x["lineNumber"]) for x in fr]
    if not any("JournalReplay" in x for x in names): continue
    n += 1
    for i, nm in enumerate(names):
        if target in nm:
            c[" < ".join(names[i:i+depth])] += 1; break
for k, v in c.most_common(15): print("%5d %5.1f%% %s" % (v, 100.0*v/n, k))
