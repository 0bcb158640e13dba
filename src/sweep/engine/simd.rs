//! The one SIMD dispatch of the sweep engine. The single feature check is [`avx2_fma`]; hand-written
//! AVX2 kernels are called after it, and [`avx2_method!`] defines a method that runs an
//! `#[inline(always)]` body compiled with AVX2 and FMA enabled when the CPU has them, plainly
//! otherwise. The arithmetic is the same either way: Rust never fuses a multiply and an add on its
//! own, so results are bit-identical with and without the features.

/// Whether the CPU supports AVX2 and FMA (the standard library caches the answer).
#[inline(always)]
pub(crate) fn avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `avx2_method!(fn name(&mut self, a: A, ...) -> R = Type => body);` defines method `name` of
/// `Type` that calls the `#[inline(always)]` method `body` with the same arguments, compiled with AVX2
/// and FMA when [`avx2_fma`] says the CPU has them (a `#[target_feature]` twin into which `body` is
/// inlined), and plainly otherwise.
macro_rules! avx2_method {
    (
        $(#[$m:meta])*
        fn $name:ident(&mut self $(, $a:ident: $t:ty)* $(,)?) $(-> $r:ty)? = $ty:ty => $body:ident
    ) => {
        $(#[$m])*
        fn $name(&mut self $(, $a: $t)*) $(-> $r)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,fma")]
                fn twin(this: &mut $ty $(, $a: $t)*) $(-> $r)? {
                    this.$body($($a),*)
                }
                if $crate::sweep::engine::simd::avx2_fma() {
                    // SAFETY: the CPU supports AVX2 and FMA (checked just above), the only
                    // requirement of the target-feature twin, which is safe code.
                    return unsafe { twin(self $(, $a)*) };
                }
            }
            self.$body($($a),*)
        }
    };
}
pub(crate) use avx2_method;

#[cfg(test)]
mod tests {
    use super::*;

    struct Acc(u64);

    impl Acc {
        #[inline(always)]
        fn add_body(&mut self, x: u64) -> u64 {
            self.0 += x;
            self.0
        }
        avx2_method!(fn add(&mut self, x: u64) -> u64 = Acc => add_body);
    }

    #[test]
    fn dispatch_runs_the_body_once() {
        let mut a = Acc(1);
        assert_eq!(a.add(2), 3);
        assert_eq!(a.0, 3);
        let _ = avx2_fma();
    }
}
