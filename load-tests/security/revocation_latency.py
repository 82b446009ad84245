"""Revocation latency of the running platform (issue 17): for each of N fresh users, sign in, check the token works
at memory-service (database feed), multimodal-service (HTTP feed) and the gateway, disable the user through the admin
API, and time until each answers 401 (polled in parallel, from the moment the disable answered).

    ./platform up && python3 load-tests/security/revocation_latency.py [N]

Targets: localhost only. Reads the admin password from .platform/admin-password.
"""
import json,time,urllib.request,uuid,statistics,sys
G="http://localhost:8080"
P=open(".platform/admin-password").read().strip()
def call(url,method="GET",body=None,token=None):
    req=urllib.request.Request(url,method=method,data=None if body is None else json.dumps(body).encode(),headers={"Content-Type":"application/json"})
    if token: req.add_header("Authorization","Bearer "+token)
    try:
        r=urllib.request.urlopen(req); return r.status, r.read()
    except urllib.error.HTTPError as e: return e.code, e.read()
def login(u,p): return json.loads(call(G+"/api/v1/auth/login","POST",{"username":u,"password":p})[1])["accessToken"]
admin=login("admin",P)
res={"memory-service :8082":[], "multimodal-service :8085":[], "gateway :8080":[]}
for i in range(int(sys.argv[1]) if len(sys.argv) > 1 else 15):
    u="lat"+uuid.uuid4().hex[:10]; pw="violet kettle "+uuid.uuid4().hex
    s,b=call(G+"/api/v1/auth/register","POST",{"username":u,"email":u+"@example.com","password":pw}); uid=json.loads(b)["id"]
    t=login(u,pw)
    targets={"memory-service :8082":("http://localhost:8082/api/v1/memories","GET",None),
             "multimodal-service :8085":("http://localhost:8085/api/v1/analyze/text","POST",{"text":"hi there."}),
             "gateway :8080":(G+"/api/v1/memories","GET",None)}
    for k,(url,m,body) in targets.items(): assert call(url,m,body,t)[0]==200,(k,call(url,m,body,t))
    t0=time.time(); assert call(G+"/api/v1/admin/users/%s/disable"%uid,"POST",{},admin)[0]==200; t1=time.time()
    import threading
    def poll(k,url,m,body):
        while call(url,m,body,t)[0]!=401:
            if time.time()-t1>5: break
        res[k].append((time.time()-t1)*1000)
    ths=[threading.Thread(target=poll,args=(k,)+v) for k,v in targets.items()]
    [x.start() for x in ths]; [x.join() for x in ths]
for k,v in res.items():
    v=sorted(v); print("%-26s n=%d median %.0f ms, max %.0f ms"%(k,len(v),statistics.median(v),v[-1]))
