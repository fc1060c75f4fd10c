import ClaimsBridge
print("ok")
