# Seeds for logstore_segment_fuzz: small valid segments (format:
# logstore/segment_format.h), written independently of the C++ encoder so the
# two cross-check. Run from the repository root:
#   python3 tests/fuzz/corpus/make_logstore_seeds.py
import struct
T=[]
for i in range(256):
    c=i
    for _ in range(8): c=(c>>1)^(0x82F63B78 if c&1 else 0)
    T.append(c)
def crc(b):
    c=0xFFFFFFFF
    for x in b: c=(c>>8)^T[(c^x)&0xFF]
    return c^0xFFFFFFFF
def header(seq, first, prev, align=512):
    h=bytearray(64); h[0:8]=b'WSLSSEG1'
    struct.pack_into('<IIQQQI',h,8,1,1 if seq==1 else 2,seq,first,prev,align)
    struct.pack_into('<I',h,60,crc(h[:60])); return bytes(h)
def frame(seq,index,ftype,ltype,aux,body):
    f=bytearray(32)+body
    struct.pack_into('<IQQBBHI',f,4,len(f),seq,index,ftype,ltype,0,aux)
    struct.pack_into('<I',f,0,crc(f[4:]))
    pad=(-len(f))%8
    return bytes(f)+b'\0'*pad
def batch(seq,first,entries,align=512):
    out=b''
    for i,(data,ext) in enumerate(entries):
        body=struct.pack('<Qq',1,1000+i)+data+ext
        out+=frame(seq,first+i,1,i%6,len(data),body)
    out+=frame(seq,first+len(entries)-1,2,0,len(entries),b'')
    out+=b'\0'*((-len(out))%align)
    return out
def seg(first,batches,tail_zero=1024):
    s=header(1,first,0)+b'\0'*(512-64); seq=1; idx=first
    for entries in batches:
        s+=batch(seq,idx,entries); seq+=1; idx+=len(entries)
    return s+b'\0'*tail_zero
seeds={
 'one':seg(1,[[(b'hello',b'')]]),
 'two_batches':seg(5,[[(b'a'*40,b'ext')],[(b'b'*7,b''),(b'',b'x'*9),(b'c'*100,b'')]]),
 'big':seg(100,[[(bytes(range(256))*3,b'e'*20)]]),
}
for k,v in seeds.items():
    for n,b in ((k,v),(k+'_odd',v+b'\0')):  # even and odd sizes: check_tail on and off
        open('tests/fuzz/corpus/logstore_segment_fuzz/'+n,'wb').write(b)
